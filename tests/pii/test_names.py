from __future__ import annotations

import pytest

from scanner.pii.names import is_person_name, looks_like_name, name_share


@pytest.mark.parametrize("value", [
    "Budi Santoso", "Hj. Siti Aminah", "Dr. Agus Wibowo, S.Kom", "dr. Dewi Lestari, Sp.PD", "BUDI SANTOSO",
    "I Gede Made Wirawan", "Maruli Tua Siregar", "Ahmad Fauzi, S.H., M.H.",
])
def test_personal_names(value: str) -> None:
    assert is_person_name(value)


@pytest.mark.parametrize("value", [
    "Dinas Kesehatan Kota Bandung", "Jl. Ahmad Yani No. 5", "Jalan Merdeka", "Gg. Abdul Muis",
    "Kabupaten Bogor", "Puskesmas Cibeunying", "Beras Premium 5 Kg", "Kepala Seksi Pelayanan",
    "Bank Rakyat Indonesia", "PT Sinar Jaya", "Surabaya", "laporan warga", "Belum Kawin",
])
def test_decoys_are_not_names(value: str) -> None:
    assert not is_person_name(value)


def test_unknown_tokens_are_name_shaped_but_not_known() -> None:
    assert looks_like_name("Zorvath Quillindar") and not is_person_name("Zorvath Quillindar")


def test_share_over_a_column() -> None:
    shaped, known = name_share(["Budi Santoso", "Siti Rahayu", "Dinas Sosial", "12345"])
    assert (shaped, known) == (0.5, 0.5)
    assert name_share([]) == (0.0, 0.0)
