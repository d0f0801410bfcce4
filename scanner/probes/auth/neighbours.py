"""Object-level authorisation (IDOR/BOLA): does one credential read neighbouring objects?

For an endpoint with a numeric identifier (the last numeric path segment, else the first numeric
query value), up to two neighbours (n-1, n+1) are requested with the same credential, GET only.
An identifier that cannot be counted (a UUID, or letters and digits such as ``AB12CD``) is replaced
instead by up to two other identifiers of the same kind that the site itself returned in its
authenticated replies (``returned_ids``). Personal values are compared as in-memory hashes: facts
say only whether a reply holds values the original reply did not (another subject), with masked examples.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from scanner.pii import find_personal_data
from scanner.probes.auth.compare import NO_DATA, PII_SCAN_CHARS, personal_data

_NUMBER = re.compile(r"^\d{1,12}$")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_ID_KEYS = ("id", "uuid", "kode", "code", "guid", "slug")
MAX_NEIGHBOURS = 2
MAX_RETURNED_IDS = 50  # per kind, per scan
MAX_JSON_DEPTH = 8


def id_kind(value: str) -> str | None:
    """``uuid``, ``alphanumeric`` (6-64 letters, digits, ``_``/``-``, with both a letter and a digit) or
    None: the identifiers that cannot be counted to a neighbour."""
    if len(value) == 36 and _UUID.fullmatch(value):
        return "uuid"
    if 6 <= len(value) <= 64 and all(c.isascii() and (c.isalnum() or c in "_-") for c in value) \
            and any(c.isdigit() for c in value) and any(c.isalpha() for c in value):
        return "alphanumeric"
    return None


def returned_ids(text: str, found: dict[str, list[str]]) -> None:
    """Add to ``found`` (kind -> values) the UUIDs in ``text`` and, in a JSON reply, the alphanumeric
    values of identifier-like keys (``id``, ``uuid``, ``kode``, ``…_id``, ``…Id``); in memory only."""
    text = text[:PII_SCAN_CHARS]
    for match in _UUID.finditer(text):
        _keep(found, "uuid", match.group(0))
    try:
        body = json.loads(text) if text.lstrip()[:1] in ("{", "[") else None
    except (ValueError, RecursionError):
        return
    todo: list[tuple[object, int]] = [(body, 0)]
    while todo:
        node, depth = todo.pop()
        if depth > MAX_JSON_DEPTH:
            continue
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, value in items:
            if isinstance(value, dict | list):
                todo.append((value, depth + 1))
            elif isinstance(key, str) and isinstance(value, str) and _id_key(key) and id_kind(value) == "alphanumeric":
                _keep(found, "alphanumeric", value)


def _id_key(key: str) -> bool:
    return key.lower() in _ID_KEYS or key.lower().endswith("_id") or (key.endswith("Id") and len(key) > 2)


def _keep(found: dict[str, list[str]], kind: str, value: str) -> None:
    values = found.setdefault(kind, [])
    if value not in values and len(values) < MAX_RETURNED_IDS:
        values.append(value)


def substitutes(url: str, seen: dict[str, list[str]]) -> tuple[str, str, list[str]] | None:
    """(where the identifier is, its kind, [URLs with up to two other returned identifiers of that kind])
    for the last UUID-like or alphanumeric path segment, else the first such query value; None otherwise."""
    parts = urlsplit(url)
    segments = parts.path.split("/")
    for index in range(len(segments) - 1, -1, -1):
        kind = id_kind(segments[index])
        if kind:
            others = [v for v in seen.get(kind, []) if v != segments[index]][:MAX_NEIGHBOURS]
            return "path", kind, [urlunsplit(parts._replace(path="/".join(
                [*segments[:index], value, *segments[index + 1:]]))) for value in others]
    query = parse_qsl(parts.query, keep_blank_values=True)
    for index, (name, raw) in enumerate(query):
        kind = id_kind(raw)
        if kind:
            others = [v for v in seen.get(kind, []) if v != raw][:MAX_NEIGHBOURS]
            return f"query:{name}", kind, [urlunsplit(parts._replace(query=urlencode(
                [*query[:index], (name, value), *query[index + 1:]]))) for value in others]
    return None


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
