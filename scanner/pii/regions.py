"""Province codes used in NIK / No. KK prefixes.

The union of the current Kemendagri list (Kepmendagri 300.2.2-2138/2025, including
65 Kalimantan Utara and the Papua provinces 92-96) and the older BPS-style naming
(91 = Papua Barat, 94 = Papua). A NIK keeps its original prefix for life, so every
historical code must stay valid. python-stdnum lacks 65 and 92-96.
"""

from __future__ import annotations

PROVINCES: dict[str, str] = {
    "11": "Aceh",
    "12": "Sumatera Utara",
    "13": "Sumatera Barat",
    "14": "Riau",
    "15": "Jambi",
    "16": "Sumatera Selatan",
    "17": "Bengkulu",
    "18": "Lampung",
    "19": "Kepulauan Bangka Belitung",
    "21": "Kepulauan Riau",
    "31": "DKI Jakarta",
    "32": "Jawa Barat",
    "33": "Jawa Tengah",
    "34": "DI Yogyakarta",
    "35": "Jawa Timur",
    "36": "Banten",
    "51": "Bali",
    "52": "Nusa Tenggara Barat",
    "53": "Nusa Tenggara Timur",
    "61": "Kalimantan Barat",
    "62": "Kalimantan Tengah",
    "63": "Kalimantan Selatan",
    "64": "Kalimantan Timur",
    "65": "Kalimantan Utara",
    "71": "Sulawesi Utara",
    "72": "Sulawesi Tengah",
    "73": "Sulawesi Selatan",
    "74": "Sulawesi Tenggara",
    "75": "Gorontalo",
    "76": "Sulawesi Barat",
    "81": "Maluku",
    "82": "Maluku Utara",
    "91": "Papua",  # BPS-style tables: Papua Barat
    "92": "Papua Barat",
    "93": "Papua Selatan",
    "94": "Papua Tengah",  # BPS-style tables: Papua
    "95": "Papua Pegunungan",
    "96": "Papua Barat Daya",
}


def is_valid_region(prefix: str) -> bool:
    """Province known, regency and district codes not ``00`` (6-digit prefix)."""
    return (
        len(prefix) == 6
        and prefix.isdigit()
        and prefix[:2] in PROVINCES
        and prefix[2:4] != "00"
        and prefix[4:6] != "00"
    )
