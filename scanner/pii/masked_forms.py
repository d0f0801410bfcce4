"""Masked forms of personal values (the one place that decides what a masked value looks like).

Formats (idempotent: masking a masked value returns it unchanged):

- NIK / No. KK: first 4 and last 4 digits — ``3201********0001``;
- NPWP: first 2 and last 3 digits — ``01**********000``;
- NIP: first 2 and last 3 digits;
- phone: trunk/country prefix + 3 digits and last 4 — ``0812****5678``, ``+62812*****7890``;
- e-mail: first character of the local part — ``b***@example.go.id``;
- anything else: at most the first 2 and last 2 characters.

Detection (``detectors``) uses these forms; ``scrubbing.scrub`` depends on detection, never the reverse.
"""

from __future__ import annotations

import re

MASK_CHAR = "*"
_ID_SEPARATORS = re.compile(r"[\s.\-()/]")
_KEEP: dict[str, tuple[int, int]] = {
    "nik": (4, 4),
    "kk": (4, 4),
    "npwp": (2, 3),
    "nip": (2, 3),
    "bank_account": (2, 3),
}


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
