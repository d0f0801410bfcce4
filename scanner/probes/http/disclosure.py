"""Software/version disclosure in headers and meta tags, and debug-page signatures in bodies."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from scanner.net.html import HtmlDoc
from scanner.probes.base import SubStatus
from scanner.probes.http.text import normalised
from scanner.probes.http.versions import banners


@dataclass(frozen=True)
class DebugSignature:
    framework: str
    pattern: re.Pattern[str]


# Each needs a distinctive marker; generic words like "error" are never enough. Patterns are matched
# against the normalised reading of a page (scanner.probes.http.text): one space for any whitespace
# run, ASCII quotes, entities decoded. Which real software each was tested on: docs/facts/http.md.
DEBUG_SIGNATURES = (
    DebugSignature("laravel-ignition", re.compile(r"(window\.ignite|ignition-\d|facade/ignition|"
                                                  r"spatie/laravel-ignition|Illuminate\\{1,2}Foundation)", re.I)),
    DebugSignature("whoops", re.compile(r"Whoops, looks like something went wrong|filp/whoops|"
                                        r"class=\"Whoops container\"", re.I)),
    DebugSignature("symfony-debug", re.compile(r"Symfony\\{1,2}Component\\{1,2}(HttpKernel|ErrorHandler)\\{1,2}|"
                                               r"sf-toolbar|symfony-profiler", re.I)),
    DebugSignature("codeigniter", re.compile(r"A PHP Error was encountered|An uncaught Exception was encountered|"
                                             r"CodeIgniter\\{1,2}Debug|ci-debug", re.I)),
    DebugSignature("django-debug", re.compile(r"You're seeing this error because you have (<code>)?DEBUG = True|"
                                              r"DEBUG = True(</code>)? in your Django settings|"
                                              r"Using the URLconf defined in <code>[\w.]+</code>, Django tried", re.I)),
    DebugSignature("werkzeug-debugger", re.compile(r"Werkzeug Debugger|__debugger__=yes|"
                                                   r"The debugger caught an exception", re.I)),
    DebugSignature("php-error", re.compile(r"(<b>)?(Fatal error|Warning|Parse error|Notice|Deprecated)(</b>)?: "
                                           r".{1,600}? (in|thrown in) (<b>)?(/|[A-Z]:\\)[^ <]+\.php", re.I)),
    DebugSignature("aspnet-yellow-screen", re.compile(r"Server Error in '/' Application|"
                                                      r"<b>\s*Stack Trace:\s*</b>", re.I)),
    DebugSignature("stack-trace", re.compile(r"Traceback \(most recent call last\)|"
                                             r"at [\w$.]+\([\w]+\.java:\d+\)|#\d+ /[\w/.-]+\.php\(\d+\)|"
                                             r"\bat (?:[\w$.<>\[\] ]{1,80} \()?/[^ ()<>]{1,300}\.[cm]?js:\d+:\d+\)?")),
)


def version_disclosure(headers: dict[str, str], doc: HtmlDoc | None) -> list[dict[str, Any]]:
    """Headers and meta tags that name software (``versions.banners``), with the version string if any."""
    return [{"name": b.name, "source": b.source, "value": b.value[:200], "version": b.version}
            for b in banners(headers, doc.metas.get("generator") if doc is not None else None) if b.disclosed]


def debug_signatures(text: str) -> list[str]:
    """Names of debug/error-page signatures present in ``text`` (generic ones only if alone)."""
    reading = normalised(text)
    found = [sig.framework for sig in DEBUG_SIGNATURES if sig.pattern.search(reading)]
    specific = [f for f in found if f not in GENERIC]
    return specific or found


GENERIC = ("stack-trace", "php-error")


@dataclass
class DebugCollector:
    """Debug-page markers seen across all responses of a run; one entry per framework."""

    hits: dict[str, dict[str, Any]] = field(default_factory=dict)

    def note(self, path: str, status: int, body: bytes) -> None:
        for framework in debug_signatures(body[:262144].decode("utf-8", errors="replace")):
            hit = self.hits.setdefault(framework, {"framework": framework, "path": path,
                                                   "http_status": status, "pages": 0})
            hit["pages"] += 1

    def add_template_hits(self, exposure_hits: list[dict[str, Any]]) -> None:
        """Debug endpoints found by exposure templates (category ``debug``, e.g. Ignition)."""
        for hit in exposure_hits:
            if hit["category"] == "debug":
                self.hits.setdefault(hit["id"], {"framework": hit["id"], "path": hit["path"],
                                                 "http_status": hit["http_status"], "pages": 1})

    def facts(self) -> dict[str, Any]:
        return {"status": SubStatus.OK, "hits": list(self.hits.values())}
