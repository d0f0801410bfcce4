"""Personal data visible in page bodies: counts and masked samples only (via scanner.pii)."""

from __future__ import annotations

from typing import Any

from scanner.net.html import parse
from scanner.pii import ColumnAssessment, assess_body
from scanner.probes.http.fetch import Page
from scanner.probes.http.headers import observe_headers

MAX_SAMPLES = 5
MAX_FIELDS = 50
IDENTITY_KINDS = ("nik", "kk", "npwp", "nip", "passport")


def page_text(page: Page) -> str:
    """Readable text of a response: HTML is reduced to its text, other types are used as-is."""
    text = page.text
    if "html" in page.content_type or "<html" in text[:2000].lower():
        return parse(text).text
    return text


def observe_personal_data(path: str, page: Page) -> dict[str, Any]:
    """Counts per kind, masked samples, personal-data fields of a JSON body and the caching headers."""
    body = assess_body(page_text(page), page.content_type)
    matches = body.matches
    counts: dict[str, int] = {}
    samples: list[dict[str, str]] = []
    categories: set[str] = set()
    for m in matches:
        counts[m.kind] = counts.get(m.kind, 0) + 1
        categories.add(m.category)
        if len(samples) < MAX_SAMPLES and m.confidence != "low":
            samples.append({"kind": m.kind, "masked": m.masked, "confidence": m.confidence})
    cache = observe_headers(page.headers)["cache_control"]
    return {
        "path": path,
        "http_status": page.status,
        "counts": counts,
        "identity_count": sum(1 for m in matches if m.kind in IDENTITY_KINDS and m.confidence != "low"),
        "total": len(matches),
        "categories": sorted(categories | {f.category for f in body.fields}),
        "sensitivity": _sensitivity([m.category for m in matches if m.confidence != "low"]
                                    + [f.category for f in body.fields if f.confidence != "low"]),
        "samples": samples,
        "fields": [_field(f) for f in body.fields][:MAX_FIELDS],
        "cache_control": cache,
        "truncated": page.truncated,
    }


def _sensitivity(categories: list[str]) -> str:
    """UU PDP Pasal 4 category of the most sensitive confident match ('none' without any)."""
    if "specific" in categories:
        return "specific"
    return "general" if categories else "none"


def _field(a: ColumnAssessment) -> dict[str, Any]:
    """A JSON field holding personal data (path, kind, category, masked examples)."""
    return {"path": a.column, "kind": a.kind, "category": a.category, "confidence": a.confidence,
            "match_ratio": a.match_ratio, "sample_size": a.sample_size, "masked_examples": list(a.masked_examples)}
