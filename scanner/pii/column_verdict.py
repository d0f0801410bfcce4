"""Column-level aggregation: column name + sampled values -> :class:`ColumnAssessment`.

One matching value never labels a column, and a name alone never decides when the values say
otherwise. Thresholds (share of non-empty samples that validate as the kind):

- ``HIGH_RATIO`` (60 %) with at least ``MIN_SAMPLES_HIGH`` samples -> high;
- with a matching column name: ``MEDIUM_RATIO_WITH_NAME`` (20 %) -> medium, else low
  (the name alone says "personal data", the values may be hashed or encrypted);
- without a name hit: ``MEDIUM_RATIO`` (30 %) and at least 2 matches -> medium.

Without a validated identifier, values are read in this order: specific values (ICD-10, lab
results, vaccines, genetic conditions, welfare deciles), personal names, birth dates, free text
carrying identifiers. 16-digit NIK-like values are told apart from KK numbers (see
:func:`_nik_or_kk`). Kinds without a value check (address, religion, ...) rely on the name: medium.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from datetime import date

from scanner.pii.column_names import classify_column_name, normalize
from scanner.pii.dates import age_on, birth_dates, parse_date
from scanner.pii.detectors import KIND_CATEGORY, cell_text, classify_value, find_personal_data, matches_kind
from scanner.pii.masked_forms import mask
from scanner.pii.names import name_share
from scanner.pii.nik import compact, nik_details
from scanner.pii.specific import specific_kind
from scanner.pii.types import CONFIDENCE_RANK, ColumnAssessment, Confidence, Sensitivity

HIGH_RATIO = 0.6
MEDIUM_RATIO = 0.3
MEDIUM_RATIO_WITH_NAME = 0.2
MIN_SAMPLES_HIGH = 3
MAX_EXAMPLES = 3
# kinds whose values can be validated well enough to confirm a column name
VALIDATED_KINDS = frozenset({"nik", "kk", "npwp", "nip", "phone", "email", "passport", "bank_account"})
NAME_SHAPED, NAME_KNOWN = 0.6, 0.25  # share of values shaped like names / carrying a lexicon token
FREE_TEXT_SHARE = 0.1  # share of free-text values embedding an identifier
FREE_TEXT_MIN = 3
FREE_TEXT_MAX_CHARS = 200_000  # characters of free text searched per column
KK_MIN_SAMPLES = 10  # NIK-like values needed before saying NIK or KK
KK_ISSUE_YEAR = 2005  # KK "dates" are recording dates, mostly from the e-KTP era on
_AMOUNT = re.compile(r"(?a)^(?:rp\.?\s*)?-?\d[\d.,]*$", re.I)
SPECIFIC_KINDS = {"health": "specific", "genetic": "specific", "financial": "specific"}
# name tokens of a date column that records an event other than a birth: appointment (TMT), issue,
# validity, registration, admission, start, visit, record-keeping; its values may span decades like
# birth dates, but they are not (``tmt_cpns``, ``tgl_terbit``, ``tanggal_kunjungan``, ``created_at``)
OTHER_EVENTS = frozenset({
    "tmt", "terbit", "berlaku", "daftar", "pendaftaran", "registrasi", "register", "registered", "masuk",
    "mulai", "kunjungan", "kunjung", "periksa", "pemeriksaan", "created", "updated", "modified", "deleted",
    "input", "entry", "sk", "pangkat", "pensiun", "tugas", "selesai", "akhir", "awal", "sampai", "expired",
    "expiry", "kadaluarsa", "kedaluwarsa", "valid", "issued", "issue", "visit", "admission", "join", "hire",
    "start", "end", "cetak", "verifikasi", "pencatatan", "catat", "rekam", "lapor", "kirim", "terima",
    "bayar", "usaha", "izin", "mutasi", "lulus", "nikah", "kawin", "cerai", "wafat", "meninggal", "login",
})
# name tokens of a column that describes a product, not a person: drug brands in a pharmacy list are
# not anyone's treatment (``merk_obat``, ``nama_produk``)
PRODUCT_WORDS = frozenset({"merk", "merek", "brand", "produk", "product", "barang", "stok", "stock", "harga",
                           "katalog", "catalog"})
REPEATED_NAMES_MIN = 2  # distinct values a column of repeated names (officers, doctors) must show


def _non_empty(values: Iterable[object]) -> list[object]:
    out: list[object] = []
    for v in values:
        if v is None:
            continue
        if isinstance(v, str) and not v.strip():
            continue
        out.append(v)
    return out


def _examples(kind: str, values: list[object]) -> tuple[str, ...]:
    examples: list[str] = []
    for v in values:
        text = v.isoformat() if isinstance(v, date) else cell_text(v)
        if text:
            masked = mask(kind, text)
            if masked not in examples:
                examples.append(masked)
        if len(examples) >= MAX_EXAMPLES:
            break
    return tuple(examples)


def names_product(column: str) -> bool:
    """True when a column's name says it describes a product (brand, stock, price), not a person."""
    return bool(set(normalize(column).split("_")) & PRODUCT_WORDS)


def names_other_event(column: str) -> bool:
    """True when a column's name says its dates record something other than a birth."""
    return bool(set(normalize(column).split("_")) & OTHER_EVENTS)


def _minors(kind: str, values: list[object], on: date) -> int:
    if kind == "nik":
        infos = (nik_details(cell_text(v) or "") for v in values)
        return sum(1 for info in infos if info is not None and info.is_minor(on))
    if kind == "birth_date":  # only for a column named as births (values alone never show children)
        dates = [d for d in (parse_date(v) for v in values) if d is not None and d <= on]
        return sum(1 for d in dates if age_on(d, on) < 18)
    return 0


def _nik_or_kk(values: list[object], on: date) -> str:
    """``"nik"``, ``"kk"`` or ``"nik-or-kk"`` for a sample of 16-digit values valid as both.

    About half of a NIK column carries the female +40 on the day; a KK date never does, its
    "dates" cluster in recent recording years and family members repeat the same number.
    """
    digits = [compact(cell_text(v) or "") for v in values]
    digits = [d for d in digits if len(d) == 16]
    if len(digits) < KK_MIN_SAMPLES:
        return "nik"
    female = sum(1 for d in digits if int(d[6:8]) > 40)
    if female:
        return "nik"
    infos = [nik_details(d, today=on) for d in digits]
    recent = sum(1 for i in infos if i is not None and i.birth_date.year >= KK_ISSUE_YEAR)
    repeated = len(set(digits)) < len(digits)
    if recent >= 0.8 * len(digits) or repeated:
        return "kk"
    return "nik-or-kk"


def assess_column(name: str, values: Iterable[object], *, on: date | None = None) -> ColumnAssessment | None:
    """Assess a column from its name and a sample of its values; ``None`` if no personal data.

    ``on`` is the reference date for ``minor_count`` (NIKs or birth dates showing age < 18,
    UU PDP data anak).
    """
    on = on or date.today()
    hit = None if names_product(name) else classify_column_name(name)  # "merk_obat" is no one's treatment
    samples = _non_empty(values)
    n = len(samples)

    if hit is not None:
        return _with_name(name, hit.kind, hit.category, samples, on)

    dominant = _dominant(samples)
    if dominant is not None:
        kind, ratio = dominant
        matched = sum(1 for v in samples if matches_kind(kind, v))
        if (ratio >= HIGH_RATIO and n >= MIN_SAMPLES_HIGH) or (ratio >= MEDIUM_RATIO and matched >= 2):
            return _from_values(name, kind, samples, ratio, on)
    return _by_value(name, samples, on)


def _with_name(name: str, kind: str, category: Sensitivity, samples: list[object], on: date) -> ColumnAssessment | None:
    n = len(samples)
    has_validator = kind in VALIDATED_KINDS
    if has_validator:
        validated = [v for v in samples if matches_kind(kind, v)]
        ratio = len(validated) / n if n else 0.0
        other = _dominant(samples)
        # values clearly of another validated kind (a "nik" column holding phone numbers)
        if other and other[0] != kind and other[1] >= HIGH_RATIO and ratio < HIGH_RATIO:
            return _from_values(name, other[0], samples, other[1], on, name_hit=True)
        confidence: Confidence = (
            "high" if ratio >= HIGH_RATIO else "medium" if ratio >= MEDIUM_RATIO_WITH_NAME else "low"
        )
        nik_or_kk = False
        if kind == "nik" and ratio >= HIGH_RATIO:
            verdict = _nik_or_kk(validated, on)
            nik_or_kk = verdict != "nik"
        return ColumnAssessment(
            column=name, kind=kind, category=category, confidence=confidence, match_ratio=round(ratio, 4),
            sample_size=n, masked_examples=_examples(kind, validated or samples), name_hit=True,
            minor_count=0 if nik_or_kk else _minors(kind, validated, on),
            value_confirmed=ratio >= MEDIUM_RATIO_WITH_NAME, nik_or_kk=nik_or_kk,
        )
    other = _dominant(samples)
    if other and other[1] >= HIGH_RATIO:  # "nik_anak" holds NIKs: the values name the kind
        return _from_values(name, other[0], samples, other[1], on, name_hit=True)
    if not _values_agree(kind, samples):
        return None
    share = _value_share(kind, samples, on)
    confirmed = share >= MEDIUM_RATIO_WITH_NAME
    return ColumnAssessment(
        column=name, kind=kind, category=category, confidence="high" if confirmed else "medium",
        match_ratio=round(share, 4), sample_size=n,
        masked_examples=_examples(kind, samples), name_hit=True, minor_count=_minors(kind, samples, on),
        value_confirmed=confirmed,
    )


def _value_share(kind: str, samples: list[object], on: date) -> float:
    """Share of values that confirm a kind without an identifier validator (0 when none can)."""
    texts = [t for t in (cell_text(v) for v in samples) if t]
    if not samples:
        return 0.0
    if kind in SPECIFIC_KINDS:
        return sum(1 for t in texts if specific_kind(t) == kind) / len(samples)
    if kind == "name":
        shaped, known = name_share(texts) if len(texts) >= 0.9 * len(samples) else (0.0, 0.0)
        return shaped if shaped >= NAME_SHAPED and known >= NAME_KNOWN else 0.0
    if kind == "birth_date":
        dates = birth_dates(samples, on)
        return len(dates) / len(samples) if dates else 0.0
    return 0.0


def _values_agree(kind: str, samples: list[object]) -> bool:
    """False when plain values contradict the name: amounts for money, names for names."""
    texts = [t for t in (cell_text(v) for v in samples) if t]
    if len(texts) < 5 or len(texts) < len(samples) * 0.9:
        return True  # binary, dates or too few values: nothing to contradict
    if kind == "financial":
        ok = sum(1 for t in texts if _AMOUNT.match(t) or specific_kind(t) == "financial")
        return ok >= 0.5 * len(texts)
    if kind == "name":
        shaped, _ = name_share(texts)
        return shaped >= 0.3 or any(not t.isascii() for t in texts)
    return True


def _dominant(samples: list[object]) -> tuple[str, float] | None:
    if not samples:
        return None
    kinds = Counter(m.kind for m in (classify_value(v) for v in samples) if m is not None)
    if not kinds:
        return None
    kind, count = kinds.most_common(1)[0]
    return kind, count / len(samples)


def _by_value(name: str, samples: list[object], on: date) -> ColumnAssessment | None:
    """Specific values, names, birth dates or identifiers embedded in free text."""
    n = len(samples)
    if n < MIN_SAMPLES_HIGH:
        return None
    texts = [t for t in (cell_text(v) for v in samples) if t]
    kinds = Counter(k for k in (specific_kind(t) for t in texts) if k) if not names_product(name) else Counter()
    if kinds:
        kind, count = kinds.most_common(1)[0]
        if count / n >= HIGH_RATIO:
            return _value_assessment(name, kind, samples, count / n, "medium", on)
    if len(texts) >= 0.9 * n:
        shaped, known = name_share(texts)
        if shaped >= NAME_SHAPED and known >= NAME_KNOWN and (len(set(texts)) >= 0.5 * len(texts)
                                                                or _repeated_names(texts)):
            return _value_assessment(name, "name", samples, shaped, "medium", on)
    dates = None if names_other_event(name) else birth_dates(samples, on)
    if dates is not None:  # births by value only: its minors say nothing about children (see _value_assessment)
        return _value_assessment(name, "birth_date", samples, len(dates) / n, "medium", on)
    return _free_text(name, texts, n)


def _repeated_names(texts: list[str]) -> bool:
    """A few names repeated down the column (the officer who entered each record): the distinct values
    pass the name-column thresholds themselves (shaped like names: two words or more, no decoy word)."""
    distinct = set(texts)
    if len(distinct) < REPEATED_NAMES_MIN:
        return False
    shaped, known = name_share(distinct)
    return shaped >= NAME_SHAPED and known >= NAME_KNOWN


def _value_assessment(
    name: str, kind: str, samples: list[object], ratio: float, confidence: Confidence, on: date
) -> ColumnAssessment:
    category: Sensitivity = "specific" if kind in SPECIFIC_KINDS else "general"
    return ColumnAssessment(
        column=name, kind=kind, category=category, confidence=confidence, match_ratio=round(ratio, 4),
        sample_size=len(samples), masked_examples=_examples(kind, samples), value_confirmed=True,
        # a date column recognised by its values alone may record any event: its recent dates are not
        # children's birth dates (only NIKs, or dates in a column named as births, show minors)
        minor_count=0 if kind == "birth_date" else _minors(kind, samples, on),
    )


def _free_text(name: str, texts: list[str], n: int) -> ColumnAssessment | None:
    """Free text (complaints, notes) in which identifiers are embedded."""
    prose = [t for t in texts if " " in t and len(t) >= 20]
    if len(prose) < 0.5 * n:
        return None
    budget = FREE_TEXT_MAX_CHARS  # bound the scan of wide text columns; the share is over what was read
    read: list[str] = []
    for text in prose:
        if budget <= 0:
            break
        read.append(text)
        budget -= len(text)
    scanned = len(read) + (n - len(prose))
    carrying = 0
    kinds: Counter[str] = Counter()
    examples: list[str] = []
    for text in read:
        found = [m for m in find_personal_data(text) if CONFIDENCE_RANK[m.confidence] >= CONFIDENCE_RANK["medium"]]
        if not found:
            continue
        carrying += 1
        kinds.update(m.kind for m in found)
        if len(examples) < MAX_EXAMPLES:
            examples.append(found[0].masked)
    share = carrying / scanned
    if carrying < FREE_TEXT_MIN or share < FREE_TEXT_SHARE:
        return None
    category: Sensitivity = "specific" if any(KIND_CATEGORY.get(k) == "specific" for k in kinds) else "general"
    return ColumnAssessment(
        column=name, kind="free_text", category=category, confidence="medium", match_ratio=round(share, 4),
        sample_size=n, masked_examples=tuple(examples), value_confirmed=True, embedded_share=round(share, 4),
        embedded_kinds=tuple(sorted(kinds)),
    )


def _from_values(
    name: str, kind: str, samples: list[object], ratio: float, on: date, *, name_hit: bool = False
) -> ColumnAssessment:
    n = len(samples)
    validated = [v for v in samples if matches_kind(kind, v)]
    confidence: Confidence = "high" if ratio >= HIGH_RATIO and n >= MIN_SAMPLES_HIGH else "medium"
    if kind in ("health", "passport", "bank_account") and confidence == "high":
        confidence = "medium"  # weak validators: never high from values alone
    nik_or_kk = False
    if kind == "nik":
        verdict = _nik_or_kk(validated, on)
        kind = "kk" if verdict == "kk" else kind
        nik_or_kk = verdict == "nik-or-kk"
    category: Sensitivity = KIND_CATEGORY.get(kind, "general")
    return ColumnAssessment(
        column=name,
        kind=kind,
        category=category,
        confidence=confidence,
        match_ratio=round(ratio, 4),
        sample_size=n,
        masked_examples=_examples(kind, validated),
        name_hit=name_hit,
        minor_count=0 if nik_or_kk else _minors(kind, validated, on),
        value_confirmed=True,
        nik_or_kk=nik_or_kk,
    )
