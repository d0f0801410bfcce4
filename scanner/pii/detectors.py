"""Detectors for personal values in free text and in single cell values.

``find_personal_data(text)`` finds NIK, No. KK, NPWP, NIP, Indonesian mobile numbers,
e-mail addresses, passport numbers (low confidence), bank accounts (only next to a
context word) and health terms. Results carry the masked value, never the raw one.
"""

from __future__ import annotations

import bisect
import re
from decimal import Decimal

from scanner.pii import health
from scanner.pii.email import PATTERN as EMAIL_PATTERN
from scanner.pii.email import is_role_address, is_valid_email
from scanner.pii.masked_forms import mask
from scanner.pii.nik import is_valid_kk, is_valid_nik
from scanner.pii.nip import is_valid_nip
from scanner.pii.npwp import FORMATTED as NPWP_FORMATTED
from scanner.pii.npwp import is_valid_npwp, is_valid_npwp15, is_valid_npwp16
from scanner.pii.phone import is_valid_phone
from scanner.pii.types import CONFIDENCE_RANK, Category, Confidence, Match

# UU PDP Pasal 4 category of each value kind.
KIND_CATEGORY: dict[str, Category] = {
    "nik": "general",
    "kk": "general",
    "npwp": "general",
    "nip": "general",
    "phone": "general",
    "email": "general",
    "passport": "general",
    "bank_account": "specific",  # data keuangan pribadi, Pasal 4(2) huruf f
    "health": "specific",  # data dan informasi kesehatan, Pasal 4(2) huruf a
}

_WORD = r"a-z0-9"
_CONTEXT: dict[str, re.Pattern[str]] = {
    "kk": re.compile(rf"(?<![{_WORD}])(?:kk|nkk|no[ ._]?kk|nomor[ ._]kk|kartu[ ._]keluarga)(?![{_WORD}])"),
    "npwp": re.compile(rf"(?<![{_WORD}])npwp(?![{_WORD}])"),
    "passport": re.compile(rf"(?<![{_WORD}])(?:paspor|pasport|passport|no[ ._]?paspor)(?![{_WORD}])"),
    "bank_account": re.compile(
        rf"(?<![{_WORD}])(?:rekening|no[ ._]?rek|norek|rek|account|acct|akun[ ._]bank|bank|bca|bri|bni|"
        rf"mandiri|bsi|btn|cimb|va|virtual[ ._]account)(?![{_WORD}])"
    ),
}
_CONTEXT_WINDOW = 40

_DIGIT_RUN = re.compile(r"(?a)(?<![\d])\d{9,20}(?![\d])")
_GROUPED_16 = re.compile(r"(?a)(?<![\d])\d{4}([ .\-])\d{4}\1\d{4}\1\d{4}(?![\d])")
_GROUPED_NIP = re.compile(r"(?a)(?<![\d])\d{8} \d{6} \d \d{3}(?![\d])")
# zero-width so that a number swallowed by a previous candidate is still tried on its own
_PHONE = re.compile(r"(?a)(?<![\w+])(?=((?:\+62|62|0)[ .\-]?8\d+(?:[ .\-]\d+){0,4}))")
_PASSPORT = re.compile(r"(?a)(?<![A-Za-z0-9])[A-Z]\d{7}(?![A-Za-z0-9])")
_PHONE_GROUP_SPLIT = re.compile(r"[ .\-]")


def _context(text: str, start: int, kind: str) -> bool:
    window = text[max(0, start - _CONTEXT_WINDOW) : start].lower()
    return _CONTEXT[kind].search(window) is not None


def _match(kind: str, raw: str, start: int, end: int, confidence: Confidence) -> Match:
    return Match(kind, mask(kind, raw), start, end, confidence, KIND_CATEGORY[kind])


def _classify_digits(text: str, raw: str, start: int, end: int) -> Match | None:
    digits = re.sub(r"[^0-9]", "", raw)
    n = len(digits)
    if n == 16:
        if _context(text, start, "kk") and is_valid_kk(digits):
            return _match("kk", raw, start, end, "high")
        if _context(text, start, "npwp") and is_valid_npwp16(digits):
            return _match("npwp", raw, start, end, "high")
        if is_valid_nik(digits):
            return _match("nik", raw, start, end, "high")
        if is_valid_npwp16(digits, allow_nik=False):
            return _match("npwp", raw, start, end, "medium")
    if n == 15 and is_valid_npwp15(digits):
        confident = NPWP_FORMATTED.fullmatch(raw) is not None or _context(text, start, "npwp")
        return _match("npwp", raw, start, end, "high" if confident else "medium")
    if n == 18 and is_valid_nip(digits):
        return _match("nip", raw, start, end, "high")
    if 10 <= n <= 16 and raw.isdigit() and _context(text, start, "bank_account"):
        return _match("bank_account", raw, start, end, "low")
    return None


def _phone_matches(text: str) -> list[Match]:
    found = []
    for m in _PHONE.finditer(text):
        candidate = m.group(1)
        groups = _PHONE_GROUP_SPLIT.split(candidate)
        # try the longest prefix of digit groups that validates
        for count in range(len(groups), 0, -1):
            prefix_len = len(" ".join(groups[:count]))
            raw = candidate[:prefix_len]
            end = m.start() + prefix_len
            if end < len(text) and text[end].isdigit():
                continue
            if is_valid_phone(raw):
                confidence: Confidence = "medium" if raw.startswith("62") else "high"
                found.append(_match("phone", raw, m.start(), end, confidence))
                break
    return found


def find_personal_data(text: str) -> list[Match]:
    """All personal values in ``text``, sorted by position, without overlaps."""
    if not text:
        return []
    candidates: list[Match] = []
    for pattern in (_GROUPED_16, _GROUPED_NIP, NPWP_FORMATTED, _DIGIT_RUN):
        for m in pattern.finditer(text):
            hit = _classify_digits(text, m.group(0), m.start(), m.end())
            if hit:
                candidates.append(hit)
    candidates.extend(_phone_matches(text))
    for m in EMAIL_PATTERN.finditer(text):
        raw = m.group(0)
        conf: Confidence = "medium" if is_role_address(raw) else "high"
        candidates.append(_match("email", raw, m.start(), m.end(), conf))
    for m in _PASSPORT.finditer(text):
        conf = "medium" if _context(text, m.start(), "passport") else "low"
        candidates.append(_match("passport", m.group(0), m.start(), m.end(), conf))
    for start, end in health.find_terms(text):
        candidates.append(_match("health", text[start:end], start, end, "low"))
    return _resolve(candidates)


def _resolve(candidates: list[Match]) -> list[Match]:
    """Keep the most confident, then longest, match where spans overlap."""
    starts: list[int] = []  # sorted starts of chosen, non-overlapping spans
    chosen: dict[int, Match] = {}
    ranked = sorted(candidates, key=lambda m: (-CONFIDENCE_RANK[m.confidence], m.start - m.end, m.start))
    for m in ranked:
        i = bisect.bisect_right(starts, m.start)
        if i > 0 and chosen[starts[i - 1]].end > m.start:
            continue
        if i < len(starts) and starts[i] < m.end:
            continue
        starts.insert(i, m.start)
        chosen[m.start] = m
    return [chosen[s] for s in starts]


def cell_text(value: object) -> str | None:
    if value is None or isinstance(value, (bool, bytes, bytearray, memoryview)):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return str(int(value)) if value.is_finite() and value == value.to_integral_value() else str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, str):
        return value.strip()
    return None


_NUMERIC_SHAPE = re.compile(r"(?a)\+?[\d .\-()]+")
_PASSPORT_VALUE = re.compile(r"(?a)[A-Z]{1,2}\d{7}")
_BANK_VALUE = re.compile(r"(?a)\d{10,16}")


def classify_value(value: object) -> Match | None:
    """Classify one cell value (str, int, Decimal) as a whole; ``None`` if not personal.

    Accepts NIKs stored as numbers (``decimal(16,0)``, ``bigint``). Free text inside a
    cell is not searched; use :func:`find_personal_data` for that.
    """
    text = cell_text(value)
    if not text:
        return None
    end = len(text)
    if is_valid_email(text):
        conf: Confidence = "medium" if is_role_address(text) else "high"
        return _match("email", text, 0, end, conf)
    if _NUMERIC_SHAPE.fullmatch(text):
        digits = re.sub(r"[^0-9]", "", text)
        if len(digits) in (15, 16, 18) and not text.startswith("+"):
            hit = _classify_digits("", text, 0, end)
            if hit:
                return hit
        if is_valid_phone(text):
            conf = "medium" if text.startswith("62") else "high"
            return _match("phone", text, 0, end, conf)
        return None
    if _PASSPORT_VALUE.fullmatch(text):
        return _match("passport", text, 0, end, "low")
    if len(text) <= 200 and health.find_terms(text):
        return _match("health", text, 0, end, "low")
    return None


def matches_kind(kind: str, value: object) -> bool | None:
    """Does ``value`` validate as ``kind``? ``None`` when ``kind`` has no value validator."""
    text = cell_text(value)
    if kind in ("nik", "kk", "npwp", "nip", "phone", "email", "passport", "bank_account", "health"):
        if not text:
            return False
    else:
        return None
    assert text is not None
    if kind == "nik":
        return is_valid_nik(text)
    if kind == "kk":
        return is_valid_kk(text)
    if kind == "npwp":
        return is_valid_npwp(text)
    if kind == "nip":
        return is_valid_nip(text)
    if kind == "phone":
        return is_valid_phone(text)
    if kind == "email":
        return is_valid_email(text)
    if kind == "passport":
        return _PASSPORT_VALUE.fullmatch(text.upper()) is not None
    if kind == "bank_account":
        return _BANK_VALUE.fullmatch(re.sub(r"[\s.\-]", "", text)) is not None
    return bool(health.find_terms(text))
