"""Specific personal data recognised by value (UU 27/2022 Pasal 4(2)): health, genetic, financial.

``specific_kind(text)`` says whether one cell value is a health value (ICD-10 code, blood
pressure, lab result, vaccine, HIV status, prescription, a term from ``data/health_terms.txt``),
a genetic condition or a welfare decile; the lexicon lives in ``data/specific_values.yaml``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

from scanner.pii import health
from scanner.yamlio import load_yaml

DATA_FILE = Path(__file__).with_name("data") / "specific_values.yaml"
ICD10 = re.compile(r"(?a)^[A-TV-Z]\d{2}(?:\.\d{1,2})?(?:$|\s)")  # alone or before the diagnosis text
BLOOD_PRESSURE = re.compile(r"(?a)^(?:TD\s*:?\s*)?\d{2,3}\s*/\s*\d{2,3}(?:\s*mm\s*Hg)?$", re.I)
PRESCRIPTION = re.compile(r"(?ai)\b\d+(?:[.,]\d+)?\s*(?:mg|mcg|ml|iu|gr)\b.*\b\d\s*x\s*\d")
_NUMBER = re.compile(r"(?a)\d")


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@lru_cache(maxsize=1)
def _patterns() -> dict[str, re.Pattern[str]]:
    raw = cast(dict[str, Any], load_yaml(DATA_FILE.read_text(encoding="utf-8")))
    edge = r"(?![\w])"
    return {
        "vaccine": re.compile(rf"(?i)^(?:{_alternation(raw['vaccines'])}){edge}"),
        "analyte": re.compile(rf"(?i)(?<![\w])(?:{_alternation(raw['analytes'])}){edge}"),
        "hiv": re.compile(rf"(?i)^(?:{_alternation(raw['hiv_status'])})$"),
        "genetic": re.compile(rf"(?i)(?<![\w])(?:{_alternation(raw['genetic'])}){edge}"),
        "financial": re.compile(rf"(?i)^(?:{_alternation(raw['financial'])})\s*\d+$"),
    }


def specific_kind(text: str) -> str | None:
    """``"health"``, ``"genetic"``, ``"financial"`` or ``None`` for one cell value."""
    if not text or len(text) > 200:
        return None
    p = _patterns()
    if p["genetic"].search(text):
        return "genetic"
    if ICD10.match(text) or BLOOD_PRESSURE.match(text) or p["vaccine"].match(text) or p["hiv"].match(text):
        return "health"
    if PRESCRIPTION.search(text) or (p["analyte"].search(text) and _NUMBER.search(text)):
        return "health"
    if health.find_terms(text):
        return "health"
    if p["financial"].match(text):
        return "financial"
    return None
