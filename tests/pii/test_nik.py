from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from stdnum.id import nik as stdnum_nik

from scanner.pii import is_valid_kk, is_valid_nik, nik_details
from tests.pii.strategies import niks


@pytest.mark.parametrize(
    "nik",
    [
        "3171011708450001",  # DKI, man born 17-08-1945
        "3201015708450001",  # woman: day 17 + 40
        "3201014101900001",  # woman born 1 Jan
        "3201017112990002",  # woman born 31 Dec 1999
        "3201012902000001",  # 29 Feb 2000 (leap)
        "6501011708450001",  # Kalimantan Utara (missing in stdnum)
        "9101011708450001",  # pre-2022 Papua prefix
        "9201011708450001",
        "9301011708450001",
        "9401011708450001",
        "9501011708450001",
        "9601011708450001",
        "3201 0117 0845 0001",  # grouped
        "3201.0117.0845.0001",
    ],
)
def test_valid_nik(nik: str) -> None:
    assert is_valid_nik(nik)


@pytest.mark.parametrize(
    "nik",
    [
        "320101170845000",  # 15 digits
        "32010117084500011",  # 17 digits
        "0201011708450001",  # leading zero
        "2001011708450001",  # province 20 does not exist
        "9701011708450001",  # province 97 does not exist
        "3200011708450001",  # regency 00
        "3201001708450001",  # district 00
        "3201011708450000",  # serial 0000
        "3201013202450001",  # day 32
        "3201013502450001",  # 35 Feb (neither a man's nor a woman's day)
        "3201017202450001",  # woman, day 72 - 40 = 32
        "3201013002450001",  # 30 Feb
        "3201012902450001",  # 29 Feb 1945 / 2045 (not leap / future)
        "3201011713450001",  # month 13
        "3201011700450001",  # month 00
        "3201010008450001",  # day 00
        "32010117084500a1",
        "",
    ],
)
def test_invalid_nik(nik: str) -> None:
    assert not is_valid_nik(nik)


def test_new_provinces_rejected_by_stdnum_but_accepted_here() -> None:
    for code in ("65", "92", "93", "95", "96"):
        nik = f"{code}01011708450001"
        assert not stdnum_nik.is_valid(nik)
        assert is_valid_nik(nik)


def test_nik_details_woman_and_minor() -> None:
    info = nik_details("3273015505150003")
    assert info is not None
    assert info.sex == "F"
    assert info.birth_date == date(2015, 5, 15)
    assert info.province_code == "32" and info.province_name == "Jawa Barat"
    assert info.age_on(date(2026, 5, 14)) == 10
    assert info.is_minor(date(2026, 11, 23))
    assert info.age_on(date(2033, 5, 15)) == 18
    assert not info.is_minor(date(2033, 5, 15))


def test_nik_details_accepts_numbers() -> None:
    info = nik_details(3171011708450001)
    assert info is not None and info.sex == "M" and info.birth_date == date(1945, 8, 17)


def test_nik_details_none_for_invalid() -> None:
    assert nik_details("1234567890123456") is None


def test_kk_uses_recording_date_without_plus_40() -> None:
    assert is_valid_kk("3201012012200003")
    assert not is_valid_kk("3201016012200003")  # day 60 is not a date for a KK
    assert not is_valid_kk("3201013102200003")  # 31 Feb


@given(niks())
def test_generated_niks_validate(nik: str) -> None:
    assert is_valid_nik(nik)
    info = nik_details(nik)
    assert info is not None
    assert info.sex == ("F" if int(nik[6:8]) > 40 else "M")
