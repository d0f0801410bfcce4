"""``scrub``: the safety net that masks personal values found anywhere in evidence, facts and text.

It finds values with ``scanner.pii.detectors`` and masks them with ``scanner.pii.masked_forms``
(the masked forms).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from scanner.pii.detectors import classify_value, find_personal_data
from scanner.pii.normalise import decoded_view, digit_groups

# Kinds masked by ``scrub`` by default: identifiers, not topic words such as health terms.
SCRUB_KINDS = frozenset({"nik", "kk", "npwp", "nip", "phone", "email", "passport", "bank_account"})
_SCRUB_INT_KINDS = frozenset({"nik", "kk", "npwp", "nip"})
_ID_LENGTHS = frozenset({15, 16, 18})  # NPWP (15/16), NIK/KK (16), NIP (18)
_PHONE_LENGTHS = (10, 15)  # 08..., 628..., +628... with 8-12 national digits
_MAX_WINDOW_DIGITS = 19  # NIP's 18 digits, or "+" and a 15-digit phone number


def _identifier_shaped(digits: str) -> bool:
    """Cheap pre-check: the length of a NIK/KK/NPWP/NIP, or a mobile number's prefix and length."""
    if len(digits) in _ID_LENGTHS:
        return True
    return digits.startswith(("08", "628", "+628")) and _PHONE_LENGTHS[0] <= len(digits) <= _PHONE_LENGTHS[1]


def _digit_group_hits(text: str, kinds: frozenset[str]) -> list[tuple[int, int, str]]:
    """Identifiers written as several digit groups (``31.69.99.410790.9999``, ``(0812) 0000 0999``).

    A window never holds more than ``_MAX_WINDOW_DIGITS`` digits (the longest identifier), so each
    group starts a bounded number of joins: linear in the number of groups, however long the run.
    """

    hits: list[tuple[int, int, str]] = []
    for run in digit_groups(text):
        i, n = 0, len(run.digits)
        while i < n:
            # windows of at least two groups, longest first; a "+62" group only starts a window
            ends, size = [], len(run.digits[i])
            for k in range(i + 1, n):
                size += len(run.digits[k])
                if size > _MAX_WINDOW_DIGITS or run.digits[k].startswith("+"):
                    break
                ends.append(k + 1)
            for j in reversed(ends):
                joined = "".join(run.digits[i:j])
                if joined.startswith("0062"):  # the international call prefix "00" written for "+"
                    joined = "+" + joined[2:]
                if not _identifier_shaped(joined):
                    continue
                m = classify_value(joined)
                if m is not None and m.kind in kinds:
                    hits.append((run.spans[i][0], run.spans[j - 1][1], m.masked))
                    i = j - 1
                    break
            i += 1
    return hits


def _source_hits(text: str, kinds: frozenset[str]) -> list[tuple[int, int, str]]:
    """Personal values in the decoded view of ``text``, as non-overlapping spans of ``text`` itself."""

    view = decoded_view(text)
    hits = [(m.start, m.end, m.masked) for m in find_personal_data(view.text) if m.kind in kinds]
    hits += _digit_group_hits(view.text, kinds)
    mapped = sorted(((*view.source_span(s, e), masked) for s, e, masked in hits), key=lambda h: (h[0], h[0] - h[1]))
    chosen: list[tuple[int, int, str]] = []
    for hit in mapped:
        if chosen and hit[0] < chosen[-1][1]:
            continue
        chosen.append(hit)
    return chosen


def scrub_text(text: str, kinds: frozenset[str] = SCRUB_KINDS) -> str:
    """Replace every detected personal value in ``text`` by its masked form.

    Values are searched in a decoded view (URL-decoded, HTML-unescaped, NFKC, digit groups
    joined) and masked in the original text, so ``pindai%40example.com`` or a NIK written with
    fullwidth digits is masked as well as the plain spelling.
    """
    for _ in range(5):  # masking only removes digits/letters, so this converges quickly
        hits = _source_hits(text, kinds)
        if not hits:
            break
        parts: list[str] = []
        pos = 0
        for start, end, masked in hits:
            parts.append(text[pos:start])
            parts.append(masked)
            pos = end
        parts.append(text[pos:])
        text = "".join(parts)
    return text


def scrub(obj: Any, kinds: frozenset[str] = SCRUB_KINDS) -> Any:
    """Copy of a JSON-like structure with personal values in strings (and NIK-like
    numbers, integral floats included) masked. Dict keys are scrubbed too; other scalars pass through."""
    if isinstance(obj, str):
        return scrub_text(obj, kinds)
    if isinstance(obj, dict):
        return {(scrub_text(k, kinds) if isinstance(k, str) else k): scrub(v, kinds) for k, v in obj.items()}
    if isinstance(obj, list):
        return [scrub(v, kinds) for v in obj]
    if isinstance(obj, tuple):
        return tuple(scrub(v, kinds) for v in obj)
    if isinstance(obj, (int, float, Decimal)) and not isinstance(obj, bool):

        m = classify_value(obj)
        if m is not None and m.kind in _SCRUB_INT_KINDS and m.kind in kinds:
            return m.masked
    return obj
