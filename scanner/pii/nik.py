"""NIK (Nomor Induk Kependudukan) and No. KK (Kartu Keluarga) validation.

Both are 16 digits ``PP KK CC DDMMYY SSSS``: region of first registration, a date
and a serial. The NIK date is the birth date with 40 added to the day for women; the
KK date is the recording (issue) date. Neither has a check digit, so validation is
structural: known province (see :mod:`scanner.pii.regions`), real calendar date,
serial not ``0000``.
"""

from __future__ import annotations

import re
from datetime import date

from scanner.pii.regions import PROVINCES, is_valid_region
from scanner.pii.types import NikInfo

_SEPARATORS = re.compile(r"[\s.\-]")
_SIXTEEN = re.compile(r"(?a)[1-9]\d{15}")


def compact(value: object) -> str:
    """Digits of a NIK-like value (str, int or Decimal) without separators."""
    return _SEPARATORS.sub("", str(value)).strip()


def _resolve_year(yy: int, day: int, month: int, today: date) -> date | None:
    """The most recent real date ``day/month/(19|20)yy`` not after ``today``."""
    for century in (2000, 1900):
        try:
            d = date(century + yy, month, day)
        except ValueError:
            continue
        if d <= today:
            return d
    return None


def _decode_date(digits: str, *, allow_female: bool, today: date | None = None) -> tuple[date, bool] | None:
    day, month, yy = int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
    female = False
    if allow_female and day > 40:
        day -= 40
        female = True
    d = _resolve_year(yy, day, month, today or date.today())
    return (d, female) if d else None


def _structure_ok(digits: str) -> bool:
    return bool(_SIXTEEN.fullmatch(digits)) and is_valid_region(digits[:6]) and digits[12:] != "0000"


def nik_details(nik: object, *, today: date | None = None) -> NikInfo | None:
    """Decode a NIK, or ``None`` when it is not structurally valid."""
    digits = compact(nik)
    if not _structure_ok(digits):
        return None
    decoded = _decode_date(digits[6:12], allow_female=True, today=today)
    if decoded is None:
        return None
    birth, female = decoded
    return NikInfo(
        province_code=digits[:2],
        province_name=PROVINCES[digits[:2]],
        regency_code=digits[2:4],
        district_code=digits[4:6],
        birth_date=birth,
        sex="F" if female else "M",
    )


def is_valid_nik(nik: object) -> bool:
    """Structural NIK check: province (incl. 65, 92-96), birth date (+40 for women), serial."""
    return nik_details(nik) is not None


def is_valid_kk(kk: object) -> bool:
    """Structural No. KK check: region, recording date DDMMYY (no +40), serial.

    The DDMMYY layout of the KK date is not confirmed by a primary source.
    """
    digits = compact(kk)
    if not _structure_ok(digits):
        return False
    return _decode_date(digits[6:12], allow_female=False) is not None
