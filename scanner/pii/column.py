"""Column-level aggregation: column name + sampled values -> :class:`ColumnAssessment`.

One matching value never labels a column. Thresholds (share of non-empty samples
that validate as the kind):

- ``HIGH_RATIO`` (60 %) with at least ``MIN_SAMPLES_HIGH`` samples -> high;
- with a matching column name: ``MEDIUM_RATIO_WITH_NAME`` (20 %) -> medium, else low
  (the name alone says "personal data", the values may be hashed or encrypted);
- without a name hit: ``MEDIUM_RATIO`` (30 %) and at least 2 matches -> medium.

Kinds without a value validator (name, address, religion, ...) rely on the name: medium.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date

from scanner.pii.columns import classify_column_name
from scanner.pii.detectors import KIND_CATEGORY, cell_text, classify_value, matches_kind
from scanner.pii.masking import mask
from scanner.pii.nik import nik_details
from scanner.pii.types import ColumnAssessment, Confidence, Sensitivity

HIGH_RATIO = 0.6
MEDIUM_RATIO = 0.3
MEDIUM_RATIO_WITH_NAME = 0.2
MIN_SAMPLES_HIGH = 3
MAX_EXAMPLES = 3
# kinds whose values can be validated well enough to confirm a column name
VALIDATED_KINDS = frozenset({"nik", "kk", "npwp", "nip", "phone", "email", "passport", "bank_account"})


def _non_empty(values: Iterable[object]) -> list[object]:
    out: list[object] = []
    for v in values:
        if v is None:
            continue
        if isinstance(v, (bytes, bytearray, memoryview)):
            out.append(v)
            continue
        if isinstance(v, str) and not v.strip():
            continue
        out.append(v)
    return out


def _examples(kind: str, values: list[object]) -> tuple[str, ...]:
    examples: list[str] = []
    for v in values:
        text = cell_text(v)
        if text:
            masked = mask(kind, text)
            if masked not in examples:
                examples.append(masked)
        if len(examples) >= MAX_EXAMPLES:
            break
    return tuple(examples)


def _minors(kind: str, values: list[object], on: date | None) -> int:
    if kind != "nik":
        return 0
    count = 0
    for v in values:
        info = nik_details(cell_text(v) or "")
        if info is not None and info.is_minor(on):
            count += 1
    return count


def assess_column(name: str, values: Iterable[object], *, on: date | None = None) -> ColumnAssessment | None:
    """Assess a column from its name and a sample of its values; ``None`` if no personal data.

    ``on`` is the reference date for ``minor_count`` (NIKs showing age < 18, UU PDP data anak).
    """
    hit = classify_column_name(name)
    samples = _non_empty(values)
    n = len(samples)

    if hit is not None:
        validated = [v for v in samples if matches_kind(hit.kind, v)]
        has_validator = hit.kind in VALIDATED_KINDS
        ratio = len(validated) / n if n else 0.0
        # values clearly of another validated kind (a "nik" column holding phone numbers)
        other = _dominant(samples)
        if has_validator and other and other[0] != hit.kind and other[1] >= HIGH_RATIO and ratio < HIGH_RATIO:
            return _from_values(name, other[0], samples, other[1], on, name_hit=True)
        confidence: Confidence
        if not has_validator:
            confidence = "medium"
            ratio = 0.0
            examples = _examples(hit.kind, samples)
        else:
            if ratio >= HIGH_RATIO and n >= 1:
                confidence = "high"
            elif ratio >= MEDIUM_RATIO_WITH_NAME:
                confidence = "medium"
            else:
                confidence = "low"
            examples = _examples(hit.kind, validated or samples)
        return ColumnAssessment(
            column=name,
            kind=hit.kind,
            category=hit.category,
            confidence=confidence,
            match_ratio=round(ratio, 4),
            sample_size=n,
            masked_examples=examples,
            name_hit=True,
            minor_count=_minors(hit.kind, validated if has_validator else [], on),
        )

    dominant = _dominant(samples)
    if dominant is None:
        return None
    kind, ratio = dominant
    matched = sum(1 for v in samples if matches_kind(kind, v))
    if ratio >= HIGH_RATIO and n >= MIN_SAMPLES_HIGH:
        return _from_values(name, kind, samples, ratio, on)
    if ratio >= MEDIUM_RATIO and matched >= 2:
        return _from_values(name, kind, samples, ratio, on)
    return None


def _dominant(samples: list[object]) -> tuple[str, float] | None:
    if not samples:
        return None
    kinds = Counter(m.kind for m in (classify_value(v) for v in samples) if m is not None)
    if not kinds:
        return None
    kind, count = kinds.most_common(1)[0]
    return kind, count / len(samples)


def _from_values(
    name: str, kind: str, samples: list[object], ratio: float, on: date | None, *, name_hit: bool = False
) -> ColumnAssessment:
    n = len(samples)
    validated = [v for v in samples if matches_kind(kind, v)]
    confidence: Confidence = "high" if ratio >= HIGH_RATIO and n >= MIN_SAMPLES_HIGH else "medium"
    if kind in ("health", "passport", "bank_account") and confidence == "high":
        confidence = "medium"  # weak validators: never high from values alone
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
        minor_count=_minors(kind, validated, on),
    )
