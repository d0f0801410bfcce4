"""The shape of a response, to tell a soft-404 page from a real one.

A site that answers every path (a single-page-app catch-all, a custom 200 "not found" page)
gives responses of one shape: the same status and content type, and the same body once the
requested path and every number are taken out, or one of about the same length. The http
probe's exposure checks and the auth probe's black-box discovery compare each answer with the
shape of a random path's answer and drop those that resemble it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

BODY_SAMPLE = 65536  # bytes of a body compared


@dataclass(frozen=True)
class Shape:
    """What a response looks like, for soft-404 comparison."""

    status: int
    content_type: str
    length: int
    digest: str

    def resembles(self, other: Shape) -> bool:
        if self.status != other.status or self.content_type != other.content_type:
            return False
        if self.digest == other.digest:
            return True
        tolerance = max(64, int(0.1 * max(self.length, other.length)))
        return abs(self.length - other.length) <= tolerance

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "content_type": self.content_type, "length": self.length}


def shape_of(status: int, content_type: str, body: bytes, paths: set[str]) -> Shape:
    """Shape of a response whose body may echo any of ``paths`` (removed before comparing)."""
    text = body[:BODY_SAMPLE].decode("utf-8", errors="replace")
    for token in sorted(paths | {p.strip("/") for p in paths}, key=len, reverse=True):
        if token:
            text = text.replace(token, "")
    text = re.sub(r"\s+", " ", re.sub(r"\d+", "0", text))
    return Shape(status, content_type, len(text), hashlib.sha256(text.encode()).hexdigest()[:16])
