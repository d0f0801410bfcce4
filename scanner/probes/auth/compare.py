"""Differential comparison of a response with the authenticated baseline.

Like ZAP's access-control add-on and jwt_tool's pre-scan, each variant's reply is compared
with the reply to a request carrying valid credentials: status class, body size, textual
similarity and the logged-in marker. The outcome is recorded as observations; rules decide.
"""

from __future__ import annotations

from difflib import SequenceMatcher
from typing import Any

from scanner.pii import find_personal_data
from scanner.probes.auth.client import Reply
from scanner.probes.base import SubStatus

SIMILARITY_CHARS = 4000
PII_SCAN_CHARS = 256_000
MAX_EXAMPLES = 5
NO_DATA: dict[str, Any] = {"count": 0, "kinds": [], "counts": {}, "categories": [], "examples": []}


def marker_state(reply: Reply, marker: str) -> str:
    """``present``, ``absent`` or ``not-configured``."""
    if not marker:
        return "not-configured"
    return "present" if marker in reply.text else "absent"


def observe_reply(reply: Reply, marker: str) -> dict[str, Any]:
    """Status, size and marker of one reply (the body itself is not kept)."""
    return {
        "status": SubStatus.OK,
        "http_status": reply.status,
        "status_class": reply.status_class,
        "length": reply.length,
        "marker": marker_state(reply, marker),
    }


def similarity(a: str, b: str) -> float:
    """Ratio of matching text in the first few thousand characters (0..1)."""
    matcher = SequenceMatcher(None, a[:SIMILARITY_CHARS], b[:SIMILARITY_CHARS], autojunk=False)
    return round(matcher.ratio(), 3)


def compare(reply: Reply, baseline: Reply | None, marker: str, tolerance: float) -> dict[str, Any]:
    """Observation of ``reply`` next to the authenticated ``baseline`` (if any)."""
    facts = observe_reply(reply, marker)
    if baseline is None:
        facts.update(compared=False, same_status_class=False, length_ratio=0.0,
                     length_within_tolerance=False, similarity=0.0)
        return facts
    base_len = max(baseline.length, 1)
    facts.update(
        compared=True,
        same_status_class=reply.status_class == baseline.status_class,
        length_ratio=round(reply.length / base_len, 3),
        length_within_tolerance=abs(reply.length - baseline.length) <= tolerance * base_len,
        similarity=similarity(reply.text, baseline.text),
    )
    return facts


def personal_data(text: str) -> dict[str, Any]:
    """Kinds, UU PDP categories and a few masked examples of personal data in ``text``
    (the first 256,000 characters)."""
    matches = find_personal_data(text[:PII_SCAN_CHARS])
    kinds = sorted({m.kind for m in matches})
    categories = sorted({m.category for m in matches})
    examples: list[dict[str, str]] = []
    seen: set[str] = set()
    for m in matches:
        if m.masked in seen or len(examples) >= MAX_EXAMPLES:
            continue
        seen.add(m.masked)
        examples.append({"kind": m.kind, "masked": m.masked, "category": m.category, "confidence": m.confidence})
    counts = {k: sum(1 for m in matches if m.kind == k) for k in kinds}
    return {"count": len(matches), "kinds": kinds, "counts": counts, "categories": categories, "examples": examples}
