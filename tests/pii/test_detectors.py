from __future__ import annotations

from decimal import Decimal

import pytest

from scanner.pii import Match, classify_value, find_personal_data, matches_kind


def kinds(text: str) -> list[str]:
    return [m.kind for m in find_personal_data(text)]


def test_match_holds_no_raw_value() -> None:
    [m] = find_personal_data("nik: 3201011708450001")
    assert m == Match("nik", "3201********0001", 5, 21, "high", "general")
    assert "3201011708450001" not in repr(m)


def test_find_in_json_like_text() -> None:
    text = '{"nik":"3201011708450001","no_hp":"081234567890","email":"siti@example.go.id"}'
    assert kinds(text) == ["nik", "phone", "email"]


def test_context_decides_kk_and_npwp() -> None:
    assert kinds("no_kk=3201012012200003") == ["kk"]
    assert kinds("Kartu Keluarga: 3201012012200003") == ["kk"]
    assert kinds("NPWP 3201011708450001") == ["npwp"]
    assert kinds("x 3201012012200003") == ["nik"]


def test_npwp_confidence() -> None:
    [formatted] = find_personal_data("01.312.166.0-091.000")
    [bare] = find_personal_data("ref 013121660091000")
    assert (formatted.kind, formatted.confidence) == ("npwp", "high")
    assert (bare.kind, bare.confidence) == ("npwp", "medium")


def test_sixteen_digit_npwp_with_leading_zero() -> None:
    assert kinds("0013121660091000") == ["npwp"]


def test_longer_digit_runs_are_not_niks() -> None:
    assert kinds("order 32010117084500011") == []
    assert kinds("3201011708450001999") == []


def test_invalid_numbers_are_ignored() -> None:
    assert kinds("1234567890123456 and 9999999999999999") == []


def test_nip_formats() -> None:
    assert kinds("NIP. 19850312 201001 1 001") == ["nip"]
    assert kinds("nip=198503122010011001") == ["nip"]


def test_phones() -> None:
    assert kinds("hubungi 0812-3456-7890 atau +62 812 3456 7891") == ["phone", "phone"]
    [m] = find_personal_data("wa 6281234567890")
    assert m.confidence == "medium"
    assert kinds("telp kantor (021) 3456789") == []


def test_phone_does_not_swallow_following_number() -> None:
    [m] = find_personal_data("0812 3456 7890 2024")
    assert m.masked == "0812****7890"


def test_passport_low_alone_medium_with_context() -> None:
    [alone] = find_personal_data("kode A1234567")
    [ctx] = find_personal_data("No. Paspor: A1234567")
    assert (alone.kind, alone.confidence) == ("passport", "low")
    assert ctx.confidence == "medium"


def test_bank_account_only_with_context() -> None:
    assert kinds("nomor 1234567890") == []
    [m] = find_personal_data("No. Rekening BRI: 1234567890")
    assert (m.kind, m.confidence, m.category) == ("bank_account", "low", "specific")


def test_health_terms() -> None:
    found = find_personal_data("Pasien dengan riwayat Diabetes Melitus dan HIV positif")
    assert [m.kind for m in found] == ["health", "health"]
    assert all(m.category == "specific" and m.confidence == "low" for m in found)
    assert kinds("hiv") == []  # acronyms are case-sensitive
    assert kinds("paru-paru sehat") == []


def test_role_email_is_medium() -> None:
    [m] = find_personal_data("kirim ke humas@kominfo.go.id")
    assert m.confidence == "medium"


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("3201011708450001", "nik"),
        (3201011708450001, "nik"),
        (Decimal("3201011708450001"), "nik"),
        (3201011708450001.0, "nik"),
        (" 081234567890 ", "phone"),
        ("+62 812-3456-7890", "phone"),
        ("budi@example.go.id", "email"),
        ("01.312.166.0-091.000", "npwp"),
        ("198503122010011001", "nip"),
        ("A1234567", "passport"),
        ("Hipertensi grade 2", "health"),
    ],
)
def test_classify_value(value: object, kind: str) -> None:
    m = classify_value(value)
    assert m is not None and m.kind == kind


@pytest.mark.parametrize(
    "value",
    [None, True, 42, "", "Budi", "1234567890123456", b"3201011708450001", "3201********0001", "Jl. Merdeka No. 1"],
)
def test_classify_value_none(value: object) -> None:
    assert classify_value(value) is None


def test_matches_kind() -> None:
    assert matches_kind("nik", 3201011708450001) is True
    assert matches_kind("kk", "3201012012200003") is True
    assert matches_kind("bank_account", "1234 5678 90") is True
    assert matches_kind("phone", "3201011708450001") is False
    assert matches_kind("name", "Budi") is None
