"""Health terms (Indonesian + English) loaded from ``data/health_terms.txt``."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

DATA_FILE = Path(__file__).with_name("data") / "health_terms.txt"


@lru_cache(maxsize=1)
def terms() -> tuple[str, ...]:
    lines = DATA_FILE.read_text(encoding="utf-8").splitlines()
    return tuple(t.strip() for t in lines if t.strip() and not t.strip().startswith("#"))


@lru_cache(maxsize=1)
def pattern() -> re.Pattern[str]:
    """One regex: acronyms case-sensitive, words case-insensitive, whole words only."""
    alternatives = []
    for term in sorted(terms(), key=len, reverse=True):
        body = r"\s+".join(re.escape(w) for w in term.split())
        acronym = term.upper() == term and any(c.isalpha() for c in term)
        alternatives.append(body if acronym else f"(?i:{body})")
    return re.compile(r"(?<![\w-])(?:" + "|".join(alternatives) + r")(?![\w-])")


def find_terms(text: str) -> list[tuple[int, int]]:
    """Spans of health terms in ``text``."""
    return [m.span() for m in pattern().finditer(text)]
