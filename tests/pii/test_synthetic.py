from __future__ import annotations

from datetime import date

from faker import Faker

from fixtures.synthetic import CANARY, CANARY_NPWP_FORMATTED, make_faker
from scanner.pii import (
    classify_value,
    is_valid_kk,
    is_valid_nik,
    is_valid_nip,
    is_valid_npwp,
    is_valid_phone,
    matches_kind,
    nik_details,
    scrub,
)
from scanner.pii.npwp import is_valid_npwp15, is_valid_npwp16


def test_generated_identifiers_validate(fake: Faker) -> None:
    for _ in range(500):
        assert is_valid_nik(fake.nik())
        assert is_valid_kk(fake.no_kk())
        assert is_valid_npwp15(fake.npwp15())
        assert is_valid_npwp15(fake.npwp15(formatted=True))
        assert is_valid_npwp16(fake.npwp16())
        assert is_valid_npwp16(fake.npwp16(nik_based=True))
        assert is_valid_nip(fake.nip())
        assert is_valid_phone(fake.phone_id())
        assert is_valid_phone(fake.phone_id(international=True))
        assert matches_kind("passport", fake.passport_id())


def test_nik_parameters(fake: Faker) -> None:
    for province in ("65", "92", "93", "94", "95", "96"):
        nik = fake.nik(sex="F", birth_date=date(2012, 2, 29), province=province)
        info = nik_details(nik)
        assert info is not None
        assert (info.sex, info.birth_date, info.province_code) == ("F", date(2012, 2, 29), province)


def test_seeded_faker_is_reproducible() -> None:
    assert make_faker(7).nik() == make_faker(7).nik()


def test_canaries_validate_and_scrub() -> None:
    assert is_valid_nik(CANARY["nik"]) and is_valid_kk(CANARY["kk"])
    assert is_valid_npwp(CANARY["npwp"]) and is_valid_npwp(CANARY_NPWP_FORMATTED)
    assert is_valid_phone(CANARY["phone"])
    for kind, value in CANARY.items():
        assert classify_value(value) is not None, kind
    text = " | ".join(CANARY.values())
    out = scrub(text)
    assert not any(v in out for v in CANARY.values())
