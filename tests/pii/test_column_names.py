from __future__ import annotations

import pytest

from scanner.pii import classify_column_name
from scanner.pii.column_names import dictionary, normalize


@pytest.mark.parametrize(
    ("name", "kind", "category"),
    [
        ("nik", "nik", "general"),
        ("no_ktp", "nik", "general"),
        ("noKTP", "nik", "general"),
        ("NIK_PASIEN", "nik", "general"),
        ("tbl_penduduk.nik", "nik", "general"),
        ("`ibu_nik`", "nik", "general"),
        ("no_kk", "kk", "general"),
        ("nkk", "kk", "general"),
        ("kk", "kk", "general"),
        ("tgl_lahir", "birth_date", "general"),
        ("tanggal_lahir", "birth_date", "general"),
        ("TanggalLahir", "birth_date", "general"),
        ("tempat_lahir", "birth_place", "general"),
        ("tmp_lahir", "birth_place", "general"),
        ("nm_ibu", "name", "general"),
        ("nama_ibu_kandung", "name", "general"),
        ("NamaIbuKandung", "name", "general"),
        ("alamat", "address", "general"),
        ("alamat_sekarang", "address", "general"),
        ("t_alamat", "address", "general"),
        ("no_hp", "phone", "general"),
        ("noHp", "phone", "general"),
        ("telp", "phone", "general"),
        ("email", "email", "general"),
        ("npwp", "npwp", "general"),
        ("nip", "nip", "general"),
        ("gol_darah", "health", "specific"),
        ("golongan_darah_id", "health", "specific"),
        ("diagnosa", "health", "specific"),
        ("riwayat_penyakit", "health", "specific"),
        ("no_rkm_medis", "health", "specific"),
        ("rekam_medis", "health", "specific"),
        ("agama", "religion", "general"),
        ("agama_id", "religion", "general"),
        ("status_kawin", "marital_status", "general"),
        ("stts_nikah", "marital_status", "general"),
        ("penghasilan", "financial", "specific"),
        ("no_rekening", "bank_account", "specific"),
        ("sidik_jari", "biometric", "specific"),
        ("foto_wajah", "photo", "specific"),
        ("no_skck", "identity_number", "general"), ("riwayat_pidana", "criminal", "specific"),
        ("dokumen_pasport", "passport", "general"),
        ("password", "credential", "none"),
        ("kata_sandi", "credential", "none"),
        ("jk", "gender", "general"),
    ],
)
def test_known_names(name: str, kind: str, category: str) -> None:
    hit = classify_column_name(name)
    assert hit is not None, name
    assert (hit.kind, hit.category) == (kind, category)


@pytest.mark.parametrize(
    "name",
    [
        "id",
        "user_id",
        "created_at",
        "updated_at",
        "email_verified_at",
        "pendidikan_kk_id",
        "nama_barang",
        "nama_kegiatan",
        "status",
        "jumlah",
        "keterangan",
        "kode_pos_kantor_x",
        "hpp",
        "",
        "___",
    ],
)
def test_not_personal(name: str) -> None:
    assert classify_column_name(name) is None


def test_longest_match_wins() -> None:
    hit = classify_column_name("nama_bank")
    assert hit is not None and hit.kind == "bank_account"


def test_normalize() -> None:
    assert normalize("tbl_Pasien.noKTP") == "no_ktp"
    assert normalize('"TanggalLahir"') == "tanggal_lahir"
    assert normalize("t_alamat") == "alamat"


def test_dictionary_is_well_formed() -> None:
    d = dictionary()
    assert len(d.entries) >= 20
    for e in d.entries:
        assert e.category in ("specific", "general", "none")
        assert e.label_en and e.label_id
