"""Times in reports: the profile's time zone (default Asia/Jakarta), Indonesian date format.

``6 Desember 2026 pukul 10.21 WIB`` in Indonesian, ``6 December 2026, 10:21 WIB`` in English.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MONTHS = {
    "id": ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
           "November", "Desember"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}
# Indonesia's three time zones by their IANA names; other zones print their own abbreviation.
ZONE_NAMES = {"Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}


def local_time(iso: str, zone: str, lang: str) -> str:
    """``iso`` (an ISO 8601 time with offset) in ``zone``; the input unchanged when it is not a time."""
    try:
        moment = datetime.fromisoformat(iso)
        tz = ZoneInfo(zone)
    except (ValueError, TypeError, ZoneInfoNotFoundError):
        return iso
    if moment.tzinfo is None:
        return iso
    here = moment.astimezone(tz)
    name = ZONE_NAMES.get(zone) or here.tzname() or zone
    month = MONTHS.get(lang, MONTHS["en"])[here.month - 1]
    if lang == "id":
        return f"{here.day} {month} {here.year} pukul {here.hour:02d}.{here.minute:02d} {name}"
    return f"{here.day} {month} {here.year}, {here.hour:02d}:{here.minute:02d} {name}"
