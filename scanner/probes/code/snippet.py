"""Masked code snippets and stable item keys for findings that point at a line of a file."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from scanner.probes.code.patterns import Detectors
from scanner.probes.code.redact import redact_line


def snippet(lines: list[str], first: int, last: int, detectors: Detectors, secret: bool = False) -> str:
    """Lines ``first-1 .. last+1`` as ``"<n> <code>"``, masked (whole literals on secret lines)."""
    out = []
    for number in range(max(1, first - 1), min(len(lines), last + 1) + 1):
        force = secret and first <= number <= last
        out.append(f"{number} {redact_line(lines[number - 1], detectors, force=force)}")
    return "\n".join(out)


def line_key(rel: str, check: str, code_line: str) -> str:
    """``file:check:digest`` of the flagged line's code: stable when lines above it move."""
    digest = hashlib.sha256(" ".join(code_line.split()).encode()).hexdigest()[:10]
    return f"{rel}:{check}:{digest}"


def number_repeats(items: Sequence[Any]) -> None:
    """Suffix ``#2``, ``#3`` ... on repeated ``key`` attributes (identical flagged lines in one file)."""
    seen: dict[str, int] = {}
    for item in items:
        seen[item.key] = seen.get(item.key, 0) + 1
        if seen[item.key] > 1:
            item.key = f"{item.key}#{seen[item.key]}"
