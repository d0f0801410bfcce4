from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scanner.pii import classify_value, find_personal_data, mask, scrub
from scanner.pii.masking import SCRUB_KINDS
from tests.pii.strategies import niks


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("nik", "3201011708450001", "3201********0001"),
        ("nik", "3201 0117 0845 0001", "3201********0001"),
        ("kk", "3201012012200003", "3201********0003"),
        ("npwp", "01.312.166.0-091.000", "01**********000"),
        ("npwp", "0013121660091000", "00***********000"),
        ("nip", "198503122010011001", "19*************001"),
        ("phone", "081212345678", "0812****5678"),
        ("phone", "0812-1234-5678", "0812****5678"),
        ("phone", "+6281212345678", "+62812****5678"),
        ("email", "budi@example.go.id", "b***@example.go.id"),
        ("email", "b@example.go.id", "b***@example.go.id"),
        ("name", "Budi Santoso", "Bu********so"),
        ("generic", "abc", "***"),
        ("generic", "abcde", "a***e"),
        ("generic", "", ""),
    ],
)
def test_mask_formats(kind: str, value: str, expected: str) -> None:
    assert mask(kind, value) == expected


KINDS = ["nik", "kk", "npwp", "nip", "phone", "email", "passport", "bank_account", "health", "name", "generic"]


@given(st.sampled_from(KINDS), st.text())
def test_mask_is_idempotent(kind: str, value: str) -> None:
    once = mask(kind, value)
    assert mask(kind, once) == once


@given(niks())
def test_masked_nik_is_not_redetected(nik: str) -> None:
    masked = mask("nik", nik)
    assert nik not in masked
    assert find_personal_data(masked) == []
    assert classify_value(masked) is None


def test_masked_examples_not_redetected() -> None:
    for kind, value in [
        ("phone", "081234567890"),
        ("phone", "+6281234567890"),
        ("email", "budi@kominfo.go.id"),
        ("npwp", "01.312.166.0-091.000"),
        ("nip", "198503122010011001"),
    ]:
        assert find_personal_data(mask(kind, value)) == []


SEPARATORS = st.sampled_from([" ", "\n", ", ", ": ", '"', "'", "(", ")", "=", "/", "<b>", "\t"])


@given(st.text(max_size=40), SEPARATORS, niks(), SEPARATORS, st.text(max_size=40))
def test_scrub_never_leaves_a_nik(prefix: str, left: str, nik: str, right: str, suffix: str) -> None:
    text = prefix + left + nik + right + suffix
    out = scrub(text)
    assert nik not in out
    assert [m for m in find_personal_data(out) if m.kind in SCRUB_KINDS] == []
    assert scrub(out) == out


@given(st.lists(st.text(max_size=30), max_size=5), niks())
def test_scrub_structures(texts: list[str], nik: str) -> None:
    obj = {"items": [*texts, f"NIK {nik}"], "nested": {"value": nik, nik: 1}, "n": int(nik)}
    out = scrub(obj)
    flat = repr(out)
    assert nik not in flat
    assert out["n"] == mask("nik", nik)


def test_scrub_keeps_other_values() -> None:
    obj = {"status": 200, "ok": True, "ratio": 0.5, "none": None, "text": "no personal data here", "t": (1, "a")}
    assert scrub(obj) == obj


def test_scrub_masks_decimal_nik_and_leaves_health_terms() -> None:
    assert scrub(Decimal("3201011708450001")) == "3201********0001"
    assert scrub("diagnosa: hipertensi") == "diagnosa: hipertensi"


def test_scrub_mixed_text() -> None:
    text = (
        "NIK 3201011708450001 / KK 3201012012200003, HP 0812-3456-7890, +62 812 3456 7890, "
        "surel budi.s@example.go.id, NPWP 01.312.166.0-091.000, NIP 19850312 201001 1 001"
    )
    out = scrub(text)
    assert out == (
        "NIK 3201********0001 / KK 3201********0003, HP 0812****7890, +62812****7890, "
        "surel b***@example.go.id, NPWP 01**********000, NIP 19*************001"
    )
