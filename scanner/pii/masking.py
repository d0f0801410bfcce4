"""Masking of personal values and the ``scrub`` safety net for evidence.

Formats (idempotent: masking a masked value returns it unchanged):

- NIK / No. KK: first 4 and last 4 digits — ``3201********0001``;
- NPWP: first 2 and last 3 digits — ``01**********000``;
- NIP: first 2 and last 3 digits;
- phone: trunk/country prefix + 3 digits and last 4 — ``0812****5678``, ``+62812*****7890``;
- e-mail: first character of the local part — ``b***@example.go.id``;
- anything else: at most the first 2 and last 2 characters.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

MASK_CHAR = "*"
_ID_SEPARATORS = re.compile(r"[\s.\-()/]")
_KEEP: dict[str, tuple[int, int]] = {
    "nik": (4, 4),
    "kk": (4, 4),
    "npwp": (2, 3),
    "nip": (2, 3),
    "bank_account": (2, 3),
}
# Kinds masked by ``scrub`` by default: identifiers, not topic words such as health terms.
SCRUB_KINDS = frozenset({"nik", "kk", "npwp", "nip", "phone", "email", "passport", "bank_account"})
_SCRUB_INT_KINDS = frozenset({"nik", "kk", "npwp", "nip"})


def _keep_ends(value: str, head: int, tail: int) -> str:
    n = len(value)
    if n <= head + tail:
        return _generic(value)
    return value[:head] + MASK_CHAR * (n - head - tail) + value[n - tail :]


def _generic(value: str) -> str:
    n = len(value)
    keep = 2 if n >= 8 else 1 if n >= 4 else 0
    if keep == 0:
        return MASK_CHAR * n
    return value[:keep] + MASK_CHAR * (n - 2 * keep) + value[n - keep :]


def _mask_phone(value: str) -> str:
    compact = _ID_SEPARATORS.sub("", value)
    head = 6 if compact.startswith("+") else 5 if compact.startswith("62") else 4
    return _keep_ends(compact, head, 4)


def _mask_email(value: str) -> str:
    local, at, domain = value.rpartition("@")
    if not at:
        return _generic(value)
    first = local[:1] if local and local[0] != MASK_CHAR else ""
    return first + MASK_CHAR * 3 + "@" + domain


def mask(kind: str, value: str) -> str:
    """Masked form of ``value`` for the given ``kind`` (unknown kinds use the generic rule)."""
    text = str(value).strip()
    if not text:
        return text
    if kind == "email":
        return _mask_email(text)
    if kind == "phone":
        return _mask_phone(text)
    if kind in _KEEP:
        head, tail = _KEEP[kind]
        return _keep_ends(_ID_SEPARATORS.sub("", text), head, tail)
    return _generic(text)


def scrub_text(text: str, kinds: frozenset[str] = SCRUB_KINDS) -> str:
    """Replace every detected personal value in ``text`` by its masked form."""
    from scanner.pii.detectors import find_personal_data

    for _ in range(5):  # masking only removes digits/letters, so this converges quickly
        matches = [m for m in find_personal_data(text) if m.kind in kinds]
        if not matches:
            break
        parts: list[str] = []
        pos = 0
        for m in matches:
            parts.append(text[pos : m.start])
            parts.append(m.masked)
            pos = m.end
        parts.append(text[pos:])
        text = "".join(parts)
    return text


def scrub(obj: Any, kinds: frozenset[str] = SCRUB_KINDS) -> Any:
    """Copy of a JSON-like structure with personal values in strings (and NIK-like
    numbers) masked. Dict keys are scrubbed too; other scalars pass through."""
    if isinstance(obj, str):
        return scrub_text(obj, kinds)
    if isinstance(obj, dict):
        return {(scrub_text(k, kinds) if isinstance(k, str) else k): scrub(v, kinds) for k, v in obj.items()}
    if isinstance(obj, list):
        return [scrub(v, kinds) for v in obj]
    if isinstance(obj, tuple):
        return tuple(scrub(v, kinds) for v in obj)
    if isinstance(obj, (int, Decimal)) and not isinstance(obj, bool):
        from scanner.pii.detectors import classify_value

        m = classify_value(obj)
        if m is not None and m.kind in _SCRUB_INT_KINDS and m.kind in kinds:
            return m.masked
    return obj
