"""NIP (civil servant number, Perka BKN 22/2007): 18 digits
``YYYYMMDD`` birth date, ``YYYYMM`` appointment (TMT CPNS), sex ``1``/``2``, serial."""

from __future__ import annotations

import re
from datetime import date

_SEPARATORS = re.compile(r"[\s.\-]")


def is_valid_nip(value: object, *, today: date | None = None) -> bool:
    digits = _SEPARATORS.sub("", str(value))
    if len(digits) != 18 or not (digits.isascii() and digits.isdigit()):
        return False
    today = today or date.today()
    try:
        birth = date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return False
    year, month = int(digits[8:12]), int(digits[12:14])
    if not 1 <= month <= 12 or birth.year < 1920:
        return False
    if not birth.year + 15 <= year <= today.year:
        return False
    return digits[14] in "12" and digits[15:] != "000"
