"""Content-Security-Policy as a browser and the MDN HTTP Observatory read it (observations only).

Policies come from the header and from ``<meta http-equiv="Content-Security-Policy">``. Several
policies are combined the way the Observatory combines them: a source counts only if every policy
allows it. Meta policies cannot carry ``frame-ancestors``, ``report-uri`` or ``sandbox``.
What the result means for the score is decided in ``observatory.py``; rules judge the facts.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

# Shortest policy accepted: one character less than the shortest directive name ("img-src").
_MIN_POLICY = len("img-src") - 1
_META_FORBIDDEN = ("frame-ancestors", "report-uri", "sandbox")
_DUPLICATES_ALLOWED = ("report-uri", "report-to")
BROAD = frozenset({"ftp:", "http:", "https:", "*", "http://*", "http://*.*", "https://*", "https://*.*"})
UNSAFE_INLINE = frozenset({"'unsafe-inline'", "data:"})
_PASSIVE = ("img-src", "media-src")
_NONCE_OR_HASH = ("'sha256-", "'sha384-", "'sha512-", "'nonce-")


@dataclass
class _Source:
    text: str
    policy: int
    keep: bool


class PolicyError(ValueError):
    """A policy a browser would partly ignore; the Observatory treats the header as invalid."""


def _has_nonce_or_hash(sources: set[str]) -> bool:
    return any(s.startswith(_NONCE_OR_HASH) for s in sources)


def _path_part_match(a: str, b: str) -> bool:
    """Whether source ``a`` covers ``b`` path segment by path segment (a trailing '/' matches a prefix)."""
    if not a or (a == "/" and not b):
        return True
    exact = not a.endswith("/")
    parts_a, parts_b = a.split("/"), b.split("/")
    if len(parts_a) > len(parts_b) or (exact and len(parts_a) != len(parts_b)):
        return False
    if not exact:
        parts_a.pop()
    return all(unquote(x) == unquote(y) for x, y in zip(parts_a, parts_b, strict=False))


def _split(policy: str, index: int, duplicates: set[str]) -> list[tuple[str, list[str]]]:
    """(directive, sources) of one policy; raises PolicyError for a repeated directive."""
    seen: set[str] = set()
    out: list[tuple[str, list[str]]] = []
    for entry in policy.split(";"):
        tokens = entry.split()
        if not tokens:
            continue
        name = tokens[0].lower()
        if name in seen:
            if name not in _DUPLICATES_ALLOWED:
                raise PolicyError(f"directive {name} repeated in policy {index + 1}")
            duplicates.add(name)
        seen.add(name)
        sources = [t.lower() for t in tokens[1:]]
        if not sources and name.endswith("-src"):
            sources = ["'none'"]
        out.append((name, sources))
    return out


def combine(policies: list[str]) -> tuple[dict[str, set[str]], set[str]]:
    """The effective directives of several policies, and repeated report directives.

    Raises PolicyError for an empty, too short or repeated-directive policy.
    """
    cleaned = [p.replace("\r", "").replace("\n", "").strip() for p in policies]
    for policy in cleaned:
        if len(policy) < _MIN_POLICY:
            raise PolicyError(f"policy too short: {policy!r}")
    combined: dict[str, list[_Source]] = {}
    duplicates: set[str] = set()
    for index, policy in enumerate(cleaned):
        for name, sources in _split(policy, index, duplicates):
            entries = [_Source(s, index, index == 0) for s in sources]
            merged = entries if index == 0 else combined.get(name, []) + entries
            merged.sort(key=lambda e: e.text)
            for prev, cur in itertools.pairwise(merged):
                if cur.policy == prev.policy and cur.text.startswith(prev.text):
                    cur.keep = False  # a longer source beside its own prefix adds nothing
                if cur.policy != prev.policy and _path_part_match(prev.text, cur.text):
                    cur.keep = True  # allowed by both policies
            combined[name] = [e for e in merged if e.keep]
            if index == 0 and len(cleaned) > 1:
                for entry in combined[name]:
                    entry.keep = False  # later policies must allow a source again for it to count
    directives = {name: ({e.text for e in entries} or {"'none'"}) for name, entries in combined.items()}
    return directives, duplicates


def _parse_or_none(policies: list[str]) -> dict[str, set[str]] | None:
    try:
        return combine(policies)[0] if policies else {}
    except PolicyError:
        return None


def observe_csp(header_policies: list[str], meta_policies: list[str], *, https: bool,
                report_only: bool) -> dict[str, Any]:
    """Facts about the page's CSP: presence, effective directives and each weakness found."""
    facts: dict[str, Any] = {
        "present": bool(header_policies or meta_policies), "http": bool(header_policies), "meta": bool(meta_policies),
        "value": ", ".join(header_policies) if header_policies else None, "meta_values": meta_policies,
        "report_only": report_only, "valid": True, "invalid_reason": "", "directives": {}, "weaknesses": [],
        "duplicate_report_directives": [],
    }
    header_only = _parse_or_none(header_policies) or {}
    meta = {k: v for k, v in (_parse_or_none(meta_policies) or {}).items() if k not in _META_FORBIDDEN}
    fa = header_only.get("frame-ancestors")
    facts["frame_ancestors"] = " ".join(sorted(fa)) if fa else ""
    try:
        csp, duplicates = combine(header_policies + meta_policies) if facts["present"] else ({}, set())
    except PolicyError as exc:
        return {**facts, "valid": False, "invalid_reason": str(exc)}
    facts["enforced"] = bool(header_only or meta)
    if not facts["enforced"]:
        return facts
    weaknesses = _weaknesses(csp, https=https)
    facts["directives"] = {k: sorted(v) for k, v in csp.items()}
    facts["duplicate_report_directives"] = sorted(duplicates)
    if "strict-dynamic-without-nonce" in weaknesses:
        facts["valid"] = False
        facts["invalid_reason"] = "'strict-dynamic' without a nonce or hash"
    facts["weaknesses"] = weaknesses
    facts["default_src_none"] = csp.get("default-src") == {"'none'"}
    return facts


def _weaknesses(csp: dict[str, set[str]], *, https: bool) -> list[str]:
    """Weaknesses in the Observatory's order of severity (mutates ``csp`` as a browser reads it)."""
    star = {"*"}
    object_src = csp.get("object-src") or csp.get("default-src") or set(star)
    script_src = csp.get("script-src") or csp.get("default-src") or set(star)
    style_src = csp.get("style-src") or csp.get("default-src") or set(star)
    for sources in (script_src, style_src):
        if _has_nonce_or_hash(sources):
            sources.discard("'unsafe-inline'")  # browsers ignore it next to a nonce or hash
    found: list[str] = []
    if "'strict-dynamic'" in script_src:
        if _has_nonce_or_hash(script_src):
            for source in list(script_src):
                if source.startswith(tuple(BROAD)) or source in ("'self'", "'unsafe-inline'"):
                    script_src.discard(source)
        else:
            found.append("strict-dynamic-without-nonce")
    active = [s for name, sources in csp.items() if name not in _PASSIVE and name != "script-src" for s in sources]
    active += list(script_src)
    passive = [s for name in _PASSIVE for s in (csp.get(name) or csp.get("default-src") or set())]
    if script_src & (BROAD | UNSAFE_INLINE) or object_src & BROAD:
        found.append("script-unsafe-inline-or-broad")
    if https and any(s.startswith(("http:", "ftp:")) for s in active):
        found.append("insecure-scheme-active")
    if "'unsafe-eval'" in script_src | style_src:
        found.append("unsafe-eval")
    if https and any(s.startswith(("http:", "ftp:")) for s in passive):
        found.append("insecure-scheme-passive")
    if style_src & (BROAD | UNSAFE_INLINE):
        found.append("style-unsafe-inline-or-broad")
    return found
