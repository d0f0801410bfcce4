from __future__ import annotations

from datetime import date, timedelta

from faker import Faker

from fixtures.synthetic import md5_hex
from scanner.pii import assess_column


def test_name_and_values_high(fake: Faker) -> None:
    values = [fake.nik() for _ in range(50)]
    a = assess_column("nik", values)
    assert a is not None
    assert (a.kind, a.confidence, a.match_ratio, a.sample_size, a.name_hit) == ("nik", "high", 1.0, 50, True)
    assert len(a.masked_examples) <= 3
    assert all("*" in e for e in a.masked_examples)
    assert not any(v in a.masked_examples for v in values)


def test_one_match_does_not_label_a_column(fake: Faker) -> None:
    values = [fake.nik()] + [fake.word() for _ in range(99)]
    assert assess_column("keterangan", values) is None


def test_threshold_sixty_percent_without_name(fake: Faker) -> None:
    def column(k: int) -> list[str]:
        return [fake.phone_id() for _ in range(k)] + ["-" * 3 + fake.word() for _ in range(10 - k)]

    high = assess_column("kolom_a", column(6))
    medium = assess_column("kolom_a", column(4))
    assert high is not None and high.kind == "phone" and high.confidence == "high"
    assert medium is not None and medium.confidence == "medium"
    assert assess_column("kolom_a", column(1)) is None


def test_name_hit_with_few_valid_values_is_low_or_medium(fake: Faker) -> None:
    hashed = [md5_hex(fake.nik()) for _ in range(20)]
    a = assess_column("nik", hashed)
    assert a is not None and a.kind == "nik" and a.confidence == "low" and a.match_ratio == 0.0
    mixed = [fake.nik() for _ in range(5)] + hashed[:15]
    b = assess_column("nik", mixed)
    assert b is not None and b.confidence == "medium" and b.match_ratio == 0.25


def test_empty_values_are_ignored(fake: Faker) -> None:
    values = [fake.phone_id() for _ in range(6)] + [None, "", "  "] * 3
    a = assess_column("no_hp", values)
    assert a is not None and a.sample_size == 6 and a.confidence == "high"


def test_name_kinds_are_medium_unless_values_agree(fake: Faker) -> None:
    a = assess_column("alamat", [fake.address() for _ in range(10)])
    assert a is not None and a.kind == "address" and a.confidence == "medium" and a.category == "general"
    n = assess_column("nama_lengkap", [fake.name() for _ in range(10)])
    assert n is not None and n.kind == "name" and n.confidence == "high" and n.value_confirmed
    h = assess_column("diagnosa", ["J18.9", "E11.9"])
    assert h is not None and h.category == "specific"


def test_name_without_values() -> None:
    a = assess_column("tgl_lahir", [])
    assert a is not None and a.kind == "birth_date" and a.sample_size == 0


def test_values_of_other_kind_override_name(fake: Faker) -> None:
    a = assess_column("nik", [fake.phone_id() for _ in range(10)])
    assert a is not None and a.kind == "phone" and a.confidence == "high"


def test_minor_count(fake: Faker) -> None:
    kids = [fake.nik(birth_date=date(2015, 3, 1)) for _ in range(4)]
    adults = [fake.nik(birth_date=date(1980, 3, 1)) for _ in range(6)]
    a = assess_column("nik_anggota", kids + adults, on=date(2026, 11, 23))
    assert a is not None and a.minor_count == 4


def test_numeric_nik_column(fake: Faker) -> None:
    a = assess_column("kolom", [int(fake.nik()) for _ in range(10)])
    assert a is not None and a.kind == "nik" and a.confidence == "high"


def test_to_dict_is_json_friendly(fake: Faker) -> None:
    a = assess_column("no_hp", [fake.phone_id() for _ in range(3)])
    assert a is not None
    d = a.to_dict()
    assert isinstance(d["masked_examples"], list) and d["kind"] == "phone"


def test_kk_under_an_obfuscated_name_is_not_read_as_children(fake: Faker) -> None:
    """Issue dates 2019-2024 parse as NIK birth dates of children; no +40 day and recent years say KK."""
    values = [fake.no_kk(issue_date=date(2019, 1, 1) + timedelta(days=9 * i)) for i in range(60)]
    a = assess_column("kolom_x", values, on=date(2026, 12, 1))
    assert a is not None and a.kind == "kk" and a.minor_count == 0 and a.category == "general"


def test_nik_and_kk_that_cannot_be_told_apart_are_not_escalated(fake: Faker) -> None:
    men = [fake.nik(sex="M", birth_date=date(1960, 1, 1) + timedelta(days=400 * i)) for i in range(40)]
    a = assess_column("c_9", men, on=date(2026, 12, 1))
    assert a is not None and a.kind == "nik" and a.nik_or_kk and a.minor_count == 0


def test_child_niks_still_count(fake: Faker) -> None:
    children = [fake.nik(birth_date=date(2015, 1, 1) + timedelta(days=20 * i)) for i in range(30)]
    a = assess_column("nik_anak", children, on=date(2026, 12, 1))
    assert a is not None and not a.nik_or_kk and a.minor_count == 30


def test_free_text_with_embedded_identifiers(fake: Faker) -> None:
    niks = [fake.nik() for _ in range(5)]
    texts = [f"Mohon dicek, NIK saya {n} belum terdaftar bantuan" for n in niks]
    texts += [f"Hubungi saya di {fake.phone_id()} untuk konfirmasi" for _ in range(3)]
    texts += ["Jalan di depan gang rusak parah dan berlubang besar"] * 12
    a = assess_column("isi_laporan", texts)
    assert a is not None and a.kind == "free_text" and a.category == "general"
    assert a.embedded_share == 0.4 and set(a.embedded_kinds) == {"nik", "phone"}
    assert not any(n in e for n in niks for e in a.masked_examples)


def test_names_dates_and_codes_under_obfuscated_names(fake: Faker) -> None:
    names = assess_column("kol_2", [f"{fake.first_name()} {fake.last_name()}" for _ in range(40)])
    born = [fake.date_of_birth(minimum_age=20, maximum_age=70).strftime("%d-%m-%Y") for _ in range(40)]
    dates = assess_column("f3", born)
    icd = assess_column("kol_a", ["J06.9", "A09", "I10", "E11.9", "K30"] * 8)
    assert names is not None and names.kind == "name" and names.category == "general"
    assert dates is not None and dates.kind == "birth_date"
    assert icd is not None and icd.kind == "health" and icd.category == "specific"
    assert not any(d in e for d in born for e in dates.masked_examples)


def test_values_that_contradict_the_name(fake: Faker) -> None:
    assert assess_column("tunjangan_status", ["Dapat", "Tidak dapat"] * 10) is None
    assert assess_column("nama", ["Dinas Sosial", "Badan Kepegawaian Daerah", "Sekretariat Daerah"] * 5) is None


def test_free_text_scan_is_bounded(fake: Faker) -> None:
    from scanner.pii.column_verdict import FREE_TEXT_MAX_CHARS

    long_text = "Laporan warga tentang jalan rusak " * 60  # about 2,000 characters, no identifier
    values = [f"NIK saya {fake.nik()} mohon dicek segera oleh petugas" for _ in range(20)] + [long_text] * 200
    a = assess_column("isi", values)
    assert sum(len(v) for v in values) > FREE_TEXT_MAX_CHARS
    assert a is not None and a.kind == "free_text" and a.sample_size == 220 and a.embedded_share > 0.1


def test_event_dates_are_not_birth_dates() -> None:
    from datetime import date

    from scanner.pii import assess_column

    decades = [date(1985 + i % 40, 1 + i % 12, 1 + i % 28) for i in range(60)]
    for name in ("tmt_cpns", "tgl_terbit", "tanggal_kunjungan", "created_at", "tgl_mulai_tugas", "berlaku_sampai"):
        assert assess_column(name, decades, on=date(2026, 12, 1)) is None, name
    assert assess_column("tanggal", decades, on=date(2026, 12, 1)).kind == "birth_date"


def test_repeated_names_are_names() -> None:
    from scanner.pii import assess_column

    officers = ["Budi Santoso", "Siti Rahmawati", "Agus Setiawan"] * 30
    found = assess_column("operator_input", officers)
    assert found is not None and found.kind == "name"
    assert assess_column("ruang", ["Mawar", "Melati", "Anggrek"] * 30) is None
