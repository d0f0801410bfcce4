from __future__ import annotations

import pytest

from scanner.pii.specific import specific_kind


@pytest.mark.parametrize(("value", "kind"), [
    ("J06.9", "health"), ("A09", "health"), ("120/80", "health"), ("135/90 mmHg", "health"),
    ("HbA1c 7.2%", "health"), ("Gula darah puasa 126 mg/dL", "health"), ("BCG", "health"),
    ("Campak-Rubela", "health"), ("Sinovac dosis 2", "health"), ("Non-reaktif", "health"),
    ("Amoxicillin 500 mg 3x1", "health"), ("Thalassemia beta minor", "genetic"),
    ("Pembawa sifat thalassemia", "genetic"), ("Desil 2", "financial"),
])
def test_specific_values(value: str, kind: str) -> None:
    assert specific_kind(value) == kind


@pytest.mark.parametrize("value", ["III/a", "BRG-123-A", "Poli Umum", "400/12/Dinsos/2025", "Belum diperiksa",
                                   "Kepala Seksi", "2025", "LPR-2025-000001", ""])
def test_decoys(value: str) -> None:
    assert specific_kind(value) is None
