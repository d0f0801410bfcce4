"""Object-level authorisation (IDOR/BOLA): does one credential read neighbouring objects?

For an endpoint with a numeric identifier (the last numeric path segment, else the first numeric
query value), up to two neighbours (n-1, n+1) are requested with the same credential, GET only.
Personal values are compared as in-memory hashes: facts say only whether a reply holds values
the original reply did not (another subject), with masked examples.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from scanner.pii import find_personal_data
from scanner.probes.auth.compare import NO_DATA, PII_SCAN_CHARS, personal_data

_NUMBER = re.compile(r"^\d{1,12}$")
MAX_NEIGHBOURS = 2


def _around(value: str) -> list[tuple[int, str]]:
    """(offset, neighbouring value) for n-1 (when not negative) and n+1."""
    return [(offset, str(int(value) + offset)) for offset in (-1, 1) if int(value) + offset >= 0][:MAX_NEIGHBOURS]


def neighbours(url: str) -> tuple[str, list[tuple[int, str]]] | None:
    """(where the identifier is, [(offset, neighbour URL)]) or None without a numeric identifier."""
    parts = urlsplit(url)
    segments = parts.path.split("/")
    for index in range(len(segments) - 1, -1, -1):
        if _NUMBER.match(segments[index]):
            return "path", [(offset, urlunsplit(parts._replace(path="/".join(
                [*segments[:index], value, *segments[index + 1:]])))) for offset, value in _around(segments[index])]
    query = parse_qsl(parts.query, keep_blank_values=True)
    for index, (name, raw) in enumerate(query):
        if _NUMBER.match(raw):
            return f"query:{name}", [(offset, urlunsplit(parts._replace(query=urlencode(
                [*query[:index], (name, value), *query[index + 1:]])))) for offset, value in _around(raw)]
    return None


def subjects(text: str) -> set[str]:
    """Hashes of the personal values in ``text`` (in memory only, never in facts)."""
    text = text[:PII_SCAN_CHARS]
    return {hashlib.sha256(text[m.start:m.end].encode()).hexdigest() for m in find_personal_data(text)}


def observe(status: int, text: str, original: set[str]) -> dict[str, Any]:
    """One neighbour's reply: status, masked personal data, and whether it shows another subject."""
    found = subjects(text) if 200 <= status < 300 else set()
    return {"http_status": status, "status_class": f"{status // 100}xx",
            "personal_data": personal_data(text) if found else dict(NO_DATA),
            "other_subject": bool(found - original)}
