from __future__ import annotations

from datetime import date

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
