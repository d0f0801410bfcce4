"""Hypothesis strategies for Indonesian identifiers."""

from __future__ import annotations

from datetime import date

from hypothesis import strategies as st

from scanner.pii.regions import PROVINCES


@st.composite
def niks(draw: st.DrawFn) -> str:
    province = draw(st.sampled_from(sorted(PROVINCES)))
    regency = draw(st.integers(1, 99))
    district = draw(st.integers(1, 99))
    born = draw(st.dates(min_value=date(1926, 1, 1), max_value=date.today()))
    female = draw(st.booleans())
    serial = draw(st.integers(1, 9999))
    day = born.day + (40 if female else 0)
    return f"{province}{regency:02d}{district:02d}{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"
