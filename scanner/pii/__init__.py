"""Personal-data (PII) detection and masking shared by the probes.

Public API (import from ``scanner.pii``):

- ``mask(kind, value)``, ``scrub(obj)`` — masking and the evidence safety net;
- ``find_personal_data(text)``, ``classify_value(value)``, ``matches_kind(kind, value)``;
- ``nik_details(nik)``, ``is_valid_nik``, ``is_valid_kk``, ``is_valid_npwp``, ``is_valid_nip``,
  ``is_valid_phone``, ``is_valid_email``;
- ``classify_column_name(name)``, ``assess_column(name, values)`` — the one column classifier;
- ``assess_body(text, content_type)`` — personal data in an HTTP/API body (text matches plus
  per-field verdicts for JSON: names, birth dates, specific values), ``assess_json(data)``,
  ``assess_records(rows)``;
- ``classify_protection(values)``;
- result types ``Match``, ``NikInfo``, ``ColumnNameHit``, ``ColumnAssessment``, ``Protection``,
  ``BodyAssessment``, ``Bilingual``.
"""

from scanner.pii.column_names import classify_column_name
from scanner.pii.column_verdict import assess_column
from scanner.pii.detectors import KIND_CATEGORY, classify_value, find_personal_data, matches_kind
from scanner.pii.email import is_valid_email
from scanner.pii.masked_forms import mask
from scanner.pii.nik import is_valid_kk, is_valid_nik, nik_details
from scanner.pii.nip import is_valid_nip
from scanner.pii.npwp import is_valid_npwp
from scanner.pii.phone import is_valid_phone
from scanner.pii.protection import classify_protection
from scanner.pii.records import assess_body, assess_json, assess_records
from scanner.pii.scrubbing import scrub
from scanner.pii.types import (
    Bilingual,
    BodyAssessment,
    ColumnAssessment,
    ColumnNameHit,
    Match,
    NikInfo,
    Protection,
)

__all__ = [
    "KIND_CATEGORY",
    "Bilingual",
    "BodyAssessment",
    "ColumnAssessment",
    "ColumnNameHit",
    "Match",
    "NikInfo",
    "Protection",
    "assess_body",
    "assess_column",
    "assess_json",
    "assess_records",
    "classify_column_name",
    "classify_protection",
    "classify_value",
    "find_personal_data",
    "is_valid_email",
    "is_valid_kk",
    "is_valid_nik",
    "is_valid_nip",
    "is_valid_npwp",
    "is_valid_phone",
    "mask",
    "matches_kind",
    "nik_details",
    "scrub",
]
