"""NPWP (tax number): 15-digit form with a Luhn check digit, and the 16-digit form
(``0`` + old number, or the NIK for resident individuals, PMK 112/2022)."""

from __future__ import annotations

import re

from stdnum.id import npwp as _stdnum_npwp

from scanner.pii.nik import compact, is_valid_nik

FORMATTED = re.compile(r"(?a)\d{2}\.\d{3}\.\d{3}\.\d-\d{3}\.\d{3}")


def is_valid_npwp15(value: object) -> bool:
    digits = compact(value)
    return len(digits) == 15 and digits.isdigit() and _stdnum_npwp.is_valid(digits)


def is_valid_npwp16(value: object, *, allow_nik: bool = True) -> bool:
    """16 digits: ``0`` + 15-digit NPWP (checksum), or a NIK when ``allow_nik``."""
    digits = compact(value)
    if len(digits) != 16 or not digits.isdigit():
        return False
    if digits[0] == "0":
        return bool(_stdnum_npwp.is_valid(digits))
    return allow_nik and is_valid_nik(digits)


def is_valid_npwp(value: object) -> bool:
    """Any valid NPWP form (15-digit, 16-digit with leading 0, or NIK-based)."""
    return is_valid_npwp15(value) or is_valid_npwp16(value)
