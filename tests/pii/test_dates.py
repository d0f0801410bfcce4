from __future__ import annotations

from datetime import date, datetime, timedelta

from scanner.pii.dates import birth_dates, parse_date

ON = date(2026, 12, 1)


def test_local_layouts() -> None:
    expected = date(1985, 3, 12)
    for text in ("12-03-1985", "12/03/1985", "12.03.1985", "1985-03-12", "1985-03-12 00:00:00"):
        assert parse_date(text) == expected
    assert parse_date(datetime(1985, 3, 12, 8, 0)) == expected
    assert parse_date("31-02-1985") is None and parse_date("kemarin") is None and parse_date(19850312) is None


def test_birth_dates_span_decades() -> None:
    born = [date(1950 + 3 * i, 1 + i % 12, 1 + i % 28) for i in range(20)]
    assert birth_dates([d.strftime("%d-%m-%Y") for d in born], ON) == born


def test_visit_and_future_dates_are_not_birth_dates() -> None:
    visits = [ON - timedelta(days=30 * i) for i in range(20)]
    assert birth_dates(visits, ON) is None
    assert birth_dates([date(1900, 1, 1), date(1990, 1, 1)] * 5, ON) is None  # half older than 110
    future = [ON + timedelta(days=400 * i) for i in range(1, 21)]
    assert birth_dates(future, ON) is None
