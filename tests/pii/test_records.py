from __future__ import annotations

import json

from faker import Faker

from scanner.pii import assess_body, assess_json, assess_records
from scanner.pii.records import MAX_FIELDS, field_values


def _rows(fake: Faker, n: int = 20) -> list[dict[str, object]]:
    return [{"nama": f"{fake.first_name()} {fake.last_name()}", "k2": fake.nik(), "kode": "J06.9",
             "tgl": fake.date_of_birth(minimum_age=1, maximum_age=90).strftime("%d/%m/%Y"), "kota": fake.city_name()}
            for _ in range(n)]


def test_json_fields_are_judged_like_columns(fake: Faker) -> None:
    rows = _rows(fake)
    found = {a.column: a for a in assess_json({"data": rows, "meta": {"page": 1}})}
    assert {k: a.kind for k, a in found.items()} == {
        "data[].nama": "name", "data[].k2": "nik", "data[].kode": "health", "data[].tgl": "birth_date"}
    assert found["data[].kode"].category == "specific"
    assert [a.column for a in assess_records(rows)] == [f"[].{k}" for k in ("nama", "k2", "kode", "tgl")]


def test_body_masks_and_tolerates_bad_json(fake: Faker) -> None:
    rows = _rows(fake)
    body = assess_body(json.dumps(rows), "application/json")
    assert body.fields and body.matches
    text = json.dumps(body.to_dict())
    assert not any(str(r["k2"]) in text or str(r["nama"]) in text for r in rows)
    assert assess_body("{not json", "application/json").fields == ()
    assert assess_body("[" * 100_000, "application/json").fields == ()  # too deep for the parser


def test_hostile_shapes_are_bounded() -> None:
    wide = {f"k{i}": "x" for i in range(MAX_FIELDS * 3)}
    assert len(field_values(wide)) == MAX_FIELDS
    deep: object = "3201014101900001"
    for _ in range(50):
        deep = {"a": deep}
    assert field_values(deep) == {}
