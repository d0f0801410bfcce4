"""Indonesian mobile numbers (``08…``, ``+628…``, ``628…``), validated against
libphonenumber's metadata for region ID (mobile national-number pattern and lengths).

The metadata pattern is applied directly instead of ``phonenumbers.parse`` because it
gives the same answer for this shape and is ~50 times faster on large responses.
"""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

_SEPARATORS = re.compile(r"[\s.\-()]")
_SHAPE = re.compile(r"(?a)(?:\+62|62|0)(8\d{7,11})")


@lru_cache(maxsize=1)
def _mobile() -> tuple[re.Pattern[str], frozenset[int]]:
    metadata = phonenumbers.PhoneMetadata.metadata_for_region("ID")
    if metadata is None or metadata.mobile is None or metadata.mobile.national_number_pattern is None:
        return re.compile(r"(?a)8[1-35-9]\d{7,10}"), frozenset({9, 10, 11, 12})
    desc = metadata.mobile
    return re.compile("(?a)(?:" + str(desc.national_number_pattern) + ")"), frozenset(desc.possible_length or ())


def compact(value: object) -> str:
    return _SEPARATORS.sub("", str(value))


def is_valid_phone(value: object) -> bool:
    """True for a valid Indonesian mobile number in 08/+62/62 form."""
    m = _SHAPE.fullmatch(compact(value))
    if m is None:
        return False
    national = m.group(1)
    pattern, lengths = _mobile()
    return len(national) in lengths and pattern.fullmatch(national) is not None
