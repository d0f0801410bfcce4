"""Result types shared by the personal-data (PII) detectors.

Nothing here ever holds a raw personal value: only masked forms and derived facts.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Literal

Confidence = Literal["high", "medium", "low"]
Category = Literal["specific", "general"]
Sensitivity = Literal["specific", "general", "none"]
ProtectionState = Literal["plaintext", "masked", "hashed-strong", "hashed-weak", "encrypted", "tokenised", "unknown"]

CONFIDENCE_RANK: dict[str, int] = {"low": 1, "medium": 2, "high": 3}


@dataclass(frozen=True)
class Match:
    """One personal value found in text; ``masked`` replaces the raw value."""

    kind: str
    masked: str
    start: int
    end: int
    confidence: Confidence
    category: Category

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class NikInfo:
    """Facts encoded in a NIK (the NIK itself is not kept)."""

    province_code: str
    province_name: str
    regency_code: str
    district_code: str
    birth_date: date
    sex: Literal["M", "F"]

    def age_on(self, on: date | None = None) -> int:
        """Age in whole years on ``on`` (default: today)."""
        on = on or date.today()
        before_birthday = (on.month, on.day) < (self.birth_date.month, self.birth_date.day)
        return on.year - self.birth_date.year - int(before_birthday)

    def is_minor(self, on: date | None = None) -> bool:
        """True when under 18: UU PDP Pasal 4(2) huruf e, data anak (specific)."""
        return self.age_on(on) < 18


@dataclass(frozen=True)
class ColumnNameHit:
    """A column name recognised by the dictionary in ``data/column_names.yaml``."""

    kind: str
    category: Sensitivity
    normalized: str
    matched: str
    exact: bool
    label_en: str = ""
    label_id: str = ""


@dataclass(frozen=True)
class ColumnAssessment:
    """Column-level verdict from the column name and sampled values."""

    column: str
    kind: str
    category: Sensitivity
    confidence: Confidence
    match_ratio: float
    sample_size: int
    masked_examples: tuple[str, ...] = ()
    name_hit: bool = False
    minor_count: int = 0
    # values confirm the kind (validated identifiers, names, dates, specific values), not the name alone
    value_confirmed: bool = False
    # 16-digit values that validate as NIK and as KK alike, without the female +40 day a NIK column shows
    nik_or_kk: bool = False
    # free text: share of values with an embedded identifier and the kinds seen
    embedded_share: float = 0.0
    embedded_kinds: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["masked_examples"] = list(self.masked_examples)
        d["embedded_kinds"] = list(self.embedded_kinds)
        return d


@dataclass(frozen=True)
class Bilingual:
    """A short explanation in English and Indonesian."""

    en: str
    id: str


@dataclass(frozen=True)
class Protection:
    """How the values of a column appear to be protected."""

    state: ProtectionState
    scheme: str | None
    evidence: Bilingual
    ratio: float = 0.0
    sample_size: int = 0
    distinct_ratio: float = 0.0
    deterministic: bool | None = None
    work_factor: int | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class BodyAssessment:
    """Personal data in a response body: matches in the text and, for JSON, per-field verdicts."""

    matches: list[Match]
    fields: tuple[ColumnAssessment, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"matches": [m.to_dict() for m in self.matches], "fields": [f.to_dict() for f in self.fields]}
