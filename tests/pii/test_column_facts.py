"""Table-level judgement (no database needed): name-only columns, child propagation, unknown ciphertext."""

from __future__ import annotations

import os
import random
from datetime import date, timedelta

from faker import Faker

from fixtures.pii_bench.values import aes_gcm_b64
from fixtures.synthetic import make_faker, md5_hex
from scanner.pii.column_facts import ColumnRef, column_facts, settle_table

ON = date(2026, 12, 1)


def _items(table: str, columns: dict[str, list[object]]) -> dict[str, dict]:
    items = [column_facts(ColumnRef(table, name), values, on=ON) for name, values in columns.items()]
    return {i["column"]: i for i in settle_table([i for i in items if i is not None])}


def test_names_alone_do_not_decide() -> None:
    rng = random.Random(1)
    found = _items("ref_lampiran", {
        "nik": [md5_hex(f"lampiran_{i}.pdf") for i in range(40)],
        "telp": [str(rng.randint(1_000_000_000, 9_999_999_999)) for _ in range(40)],
        "nama_bank": ["Bank Rakyat Indonesia", "Bank Mandiri"] * 20,
    })
    assert found == {}


def test_protected_columns_stay_in_a_personal_table() -> None:
    fake = make_faker(3)
    found = _items("pegawai", {
        "nama_lengkap": [f"{fake.first_name()} {fake.last_name()}" for _ in range(40)],
        "nik_hash": [md5_hex(fake.nik()) for _ in range(40)],
    })
    assert found["nik_hash"]["name_only"] and found["nik_hash"]["protection"]["state"] == "hashed-weak"


def test_child_signal_reaches_names_and_birth_dates_but_not_parents() -> None:
    fake: Faker = make_faker(5)
    born = [ON - timedelta(days=365 * (1 + i % 15)) for i in range(40)]
    found = _items("keluarga", {
        "nik_anak": [fake.nik(birth_date=b) for b in born],
        "k1": [f"{fake.first_name()} {fake.last_name()}" for _ in range(40)],
        "nama_ibu": [f"{fake.first_name_female()} {fake.last_name()}" for _ in range(40)],
    })
    assert found["nik_anak"]["child_data"] and found["nik_anak"]["category"] == "specific"
    assert found["k1"]["category"] == "specific" and "data-anak:table" in found["k1"]["category_basis"]
    assert found["nama_ibu"]["category"] == "general" and not found["nama_ibu"]["child_data"]


def test_ciphertext_of_unknown_kind_takes_the_table_category() -> None:
    key = os.urandom(32)
    found = _items("kunjungan", {
        "kode_icd": ["J06.9", "I10", "E11.9", "A09"] * 10,
        "catatan_enc": [aes_gcm_b64(f"keluhan pasien {i}", key) for i in range(40)],
    })
    assert found["catatan_enc"]["kind"] == "encrypted_unknown"
    assert found["catatan_enc"]["category"] == "specific" and found["catatan_enc"]["protection"]["state"] == "encrypted"
    alone = _items("arsip", {"blob": [aes_gcm_b64(str(i), key) for i in range(40)]})
    assert alone == {}


def test_a_value_only_birth_date_column_does_not_make_a_table_about_children() -> None:
    """Appointment dates (``tmt_cpns``) once read as births of minors marked the whole staff table as
    child data ("0 sampled NIKs belong to children"); only the table's own identifiers may do that."""
    fake: Faker = make_faker(7)
    born = [ON - timedelta(days=365 * (25 + i % 30)) for i in range(40)]
    found = _items("pegawai", {
        "nik": [fake.nik(birth_date=b) for b in born],
        "nama": [f"{fake.first_name()} {fake.last_name()}" for _ in range(40)],
        "tmt_cpns": [date(1990 + i % 35, 1 + i % 12, 1) for i in range(40)],
        "kol_7": [date(2000 + i % 26, 1 + i % 12, 1) for i in range(40)],  # neutral name, recent dates
    })
    assert "tmt_cpns" not in found
    assert found["kol_7"]["kind"] == "birth_date" and not found["kol_7"]["child_data"]
    assert not any(i["child_data"] for i in found.values()) and found["nama"]["category"] == "general"


def test_child_messages_say_what_was_counted() -> None:
    fake: Faker = make_faker(5)
    born = [ON - timedelta(days=365 * (1 + i % 15)) for i in range(40)]
    found = _items("keluarga", {
        "nik_anak": [fake.nik(birth_date=b) for b in born],
        "tgl_lahir_anak": born,
        "k1": [f"{fake.first_name()} {fake.last_name()}" for _ in range(40)],
    })
    assert found["nik_anak"]["child_evidence"]["en"] == "40 sampled NIKs belong to children"
    assert found["tgl_lahir_anak"]["child_evidence"]["id"] == "40 tanggal lahir di bawah 18 tahun"
    assert found["k1"]["child_evidence"]["en"] == "its table holds 40 children's NIKs in column nik_anak"
