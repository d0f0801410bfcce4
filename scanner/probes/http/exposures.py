"""Exposure templates (rules/http/exposures.yaml) with soft-404 baselines.

Two random paths are fetched first. A template hit whose response resembles a baseline
(``scanner.net.pageshape``: same status and content type, and the same normalised body hash or a
similar length) is discarded: that is how a single-page-app catch-all or a custom 200 "not found"
page looks.

A word or regex matcher holds if it holds on the response as sent or on its normalised reading
(scanner.probes.http.text): real pages break sentences across lines and use typographic quotes.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin, urlsplit

from scanner.net.pageshape import BODY_SAMPLE, Shape, shape_of
from scanner.pii import mask, scrub
from scanner.probes.base import SubStatus
from scanner.probes.http.data import load
from scanner.probes.http.fetch import Fetcher, FetchError, Page
from scanner.probes.http.text import normalised

MAX_EXTRACTED = 200


def shape(page: Page, path: str) -> Shape:
    return shape_of(page.status, page.content_type, page.body, {path, urlsplit(page.final_url).path})


def _part(page: Page, part: str) -> str:
    if part == "header":
        return "\n".join(f"{k}: {v}" for k, v in page.headers.items())
    return page.body[:BODY_SAMPLE].decode("utf-8", errors="replace")


def _text_matches(kind: str, matcher: dict[str, Any], text: str) -> bool:
    if kind == "word":
        words = [str(w) for w in matcher.get("words", [])]
        if matcher.get("case_insensitive"):
            text, words = text.lower(), [w.lower() for w in words]
        found = [w in text for w in words]
        return all(found) if matcher.get("condition") == "and" else any(found)
    return any(re.search(str(r), text) for r in matcher.get("regex", []))


def _matches(matcher: dict[str, Any], page: Page) -> bool:
    kind = matcher.get("type")
    if kind in ("word", "regex"):
        text = _part(page, matcher.get("part", "body"))
        return any(_text_matches(kind, matcher, reading) for reading in (text, normalised(text)))
    if kind == "status":
        return page.status in matcher.get("status", [])
    if kind == "content_type":
        return any(str(v).lower() in page.content_type for v in matcher.get("values", []))
    if kind == "binary":
        return any(page.body.startswith(bytes.fromhex(str(h))) for h in matcher.get("hex", []))
    raise ValueError(f"unknown matcher type {kind!r}")


def template_matches(template: dict[str, Any], page: Page) -> bool:
    """All matchers hold (negative ones must not)."""
    return all(_matches(m, page) != bool(m.get("negative")) for m in template.get("matchers", []))


def account_names(spec: dict[str, Any], page: Page) -> list[str]:
    """The account names a hit reveals (raw: callers keep only counts and masked forms)."""
    names: list[str] = []
    if spec.get("from") == "json":
        try:
            data = json.loads(page.body[:BODY_SAMPLE])
        except (ValueError, RecursionError):  # hostile bodies: not JSON, or nested too deep
            data = []
        field = str(spec.get("field", ""))
        rows = data if isinstance(data, list) else []
        names = [str(d[field]) for d in rows if isinstance(d, dict) and d.get(field)]
    elif spec.get("from") == "final_path":
        match = re.search(str(spec.get("regex", "$^")), urlsplit(page.final_url).path)
        names = [match.group(1)] if match and match.groups() else []
    return names


def add_accounts(item: dict[str, Any], names: list[str]) -> None:
    """Add the count and three masked examples; mask the names in the recorded final path too."""
    masked = {n: mask("name", n[:100]) for n in names}
    item["accounts"] = len(names)
    item["examples"] = [masked[n] for n in names[:3]]
    for name, hidden in masked.items():
        item["final_path"] = item["final_path"].replace(name, hidden)


def _random_paths() -> list[str]:
    return [f"/pindai-{secrets.token_hex(8)}", f"/pindai-{secrets.token_hex(8)}/{secrets.token_hex(4)}.bak"]


def extracted_value(spec: dict[str, Any], page: Page) -> str | None:
    """The first group of the extractor's regex in the answer, masked and capped (never raw in facts)."""
    match = re.search(str(spec["regex"]), _part(page, str(spec.get("part", "body"))))
    if not match or match.group(1) is None:
        return None
    return str(scrub(match.group(1)[:MAX_EXTRACTED]))


def observe_exposures(
    fetcher: Fetcher,
    base_url: str,
    on_page: Callable[[str, Page], None] | None = None,
    categories: list[str] | None = None,
    extra: tuple[dict[str, Any], ...] = (),
) -> dict[str, Any]:
    """Run every template (the shipped ones, then ``extra``: checks from rule packs) against
    ``base_url``; ``on_page(path, page)`` sees every response."""
    data = load("exposures")
    baselines: list[Shape] = []
    for path in _random_paths():
        try:
            page = fetcher.get(urljoin(base_url, path), same_host=True)
        except FetchError as exc:
            return {"status": SubStatus.INCONCLUSIVE, "reason": f"baseline request failed: {exc}",
                    "templates_version": data["version"]}
        if on_page:
            on_page(path, page)
        baselines.append(shape(page, path))
    hits: list[dict[str, Any]] = []
    discarded: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    checked = 0
    for template in [*data["templates"], *extra]:
        if categories is not None and template["category"] not in categories:
            continue
        method = str(template.get("method", "GET"))
        for path in template["paths"]:
            checked += 1
            try:
                page = fetcher.get(urljoin(base_url, path), method=method, same_host=True)
            except FetchError as exc:
                errors.append({"id": template["id"], "path": path, "reason": str(exc)})
                continue
            if on_page:
                on_page(path, page)
            if not template_matches(template, page):
                continue
            item = {
                "id": template["id"], "category": template["category"], "path": path,
                "name": template.get("name", {}), "http_status": page.status,
                "content_type": page.content_type, "length": len(page.body),
                "final_path": urlsplit(page.final_url).path,
            }
            if method != "GET":
                item["method"] = method
            if "accounts" in template.get("extract", {}):
                add_accounts(item, account_names(template["extract"]["accounts"], page))
            if "value" in template.get("extract", {}):
                item["extracted"] = extracted_value(template["extract"]["value"], page)
            if any(shape(page, path).resembles(b) for b in baselines):
                discarded.append({"id": template["id"], "path": path, "reason": "resembles-baseline"})
                continue
            hits.append(item)
    return {
        "status": SubStatus.OK,
        "templates_version": data["version"],
        "baseline": [b.to_dict() for b in baselines],
        "checked": checked,
        "hits": hits,
        "discarded": discarded,
        "errors": errors,
    }
