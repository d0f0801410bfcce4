from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fixtures.hostile.canary import NIK_SPELLINGS, find_leaks
from scanner.pii import classify_value, find_personal_data, mask, scrub
from scanner.pii.scrubbing import SCRUB_KINDS, scrub_text
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


HOSTILE = [
    ("/warga/31.69.99.410790.9999", "/warga/3169********9999"),
    ("Telp (0812) 0000 0999.", "Telp (0812****0999."),
    ("kirim ke pindai.canary%40example.com ya", "kirim ke p***@example.com ya"),
    ("q=pindai.canary%2540example.com", "q=p***@example.com"),
    ("NIK 3169\u00a09941\u00a00790\u00a09999 ok", "NIK 3169********9999 ok"),
    ("/cari?nik=3169%209941%200790%209999", "/cari?nik=3169********9999"),
    ("NIK \uff13\uff11\uff16\uff19\uff19\uff19\uff14\uff11\uff10\uff17\uff19\uff10\uff19\uff19\uff19\uff19",
     "NIK 3169********9999"),
    ('{"nik": 3169994107909999.0}', '{"nik": 3169********9999.0}'),
    ("pindai.canary\uff20example.com", "p***@example.com"),
    ("<a>pindai.canary&#64;example.com</a>", "<a>p***@example.com</a>"),
    ("pindai.canary [at] example [dot] com", "p***@example.com"),
    ("3169\u200b994107909999", "3169********9999"),
    ("NIK 3169994107909999 081200000999 +62 (812) 0000-0999", "NIK 3169********9999 0812****0999 +62812****0999"),
]


@pytest.mark.parametrize(("text", "expected"), HOSTILE)
def test_scrub_masks_hostile_spellings_in_the_original_text(text: str, expected: str) -> None:
    """Values are found in a decoded view and masked in place; the text around them is kept."""
    assert scrub(text) == expected
    assert scrub(expected) == expected


def test_scrub_masks_a_nik_stored_as_a_float() -> None:
    assert scrub({"nik": 3169994107909999.0, "ratio": 0.5}) == {"nik": "3169********9999", "ratio": 0.5}


def test_scrub_leaves_versions_addresses_and_dates_alone() -> None:
    text = "nginx/1.18.0 (Ubuntu) 10.0.0.1 2024-01-02 10:20:30 %E2%80%8B &amp; [at]"
    assert scrub(text) == text


@settings(deadline=None)
@given(st.sampled_from([t for t, _ in HOSTILE]), st.text(max_size=20), st.text(max_size=20))
def test_scrub_hostile_spelling_inside_any_text(spelling: str, before: str, after: str) -> None:
    from fixtures.hostile.canary import find_leaks

    assert find_leaks(scrub(f"{before} {spelling} {after}")) == []


@pytest.mark.parametrize("name", sorted(NIK_SPELLINGS))
@given(before=st.sampled_from(["", "NIK ", "/warga/", "nik=", "<title>", "ID: ", "a"]),
       after=st.sampled_from(["", "/", " ", ".", "</title>", "&x=1", "a"]))
@settings(max_examples=20, deadline=None)
def test_scrub_masks_every_spelling_of_the_security_review(name: str, before: str, after: str) -> None:
    """Each NIK spelling that reached reports in the 2026-12-06 review is masked wherever it stands."""
    scrubbed = scrub_text(before + NIK_SPELLINGS[name] + after)
    assert not find_leaks(scrubbed), (name, scrubbed)
