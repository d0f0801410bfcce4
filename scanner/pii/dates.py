"""Birth dates by value: local layouts (``DD-MM-YYYY``, ``DD/MM/YYYY``, ``DD.MM.YYYY``, ISO) and
column-level plausibility (ages 0-110 spread over decades, unlike visit or record dates)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime

_LOCAL = re.compile(r"(?a)^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_ISO = re.compile(r"(?a)^(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00)?)?$")
MAX_AGE = 110
MIN_SPREAD_YEARS = 15  # birth dates of a population span decades; visit/record dates do not
MIN_SHARE = 0.8
MAX_IMPLAUSIBLE = 0.05  # dates in the future or over 110 years ago (typos, placeholders such as 1900-01-01)


def parse_date(value: object) -> date | None:
    """A calendar date from a ``date``/``datetime`` or a text in a local or ISO layout."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    m = _LOCAL.match(text)
    try:
        if m:
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        m = _ISO.match(text)
        if m:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
    return None


def age_on(born: date, on: date) -> int:
    return on.year - born.year - int((on.month, on.day) < (born.month, born.day))


def birth_dates(values: Iterable[object], on: date) -> list[date] | None:
    """The plausible dates when the column reads as birth dates (>= 80 % parse, at most 5 % outside
    ages 0-110, spread over at least 15 years), else ``None``."""
    items = list(values)
    parsed = [d for d in (parse_date(v) for v in items) if d is not None]
    if len(items) < 5 or len(parsed) < MIN_SHARE * len(items):
        return None
    implausible = sum(1 for d in parsed if d > on or age_on(d, on) > MAX_AGE)
    if implausible > MAX_IMPLAUSIBLE * len(parsed):
        return None
    parsed = [d for d in parsed if d <= on and age_on(d, on) <= MAX_AGE]
    years = sorted(d.year for d in parsed)
    if years[-1] - years[0] < MIN_SPREAD_YEARS:
        return None
    return parsed
