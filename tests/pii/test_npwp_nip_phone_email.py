from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scanner.pii import is_valid_email, is_valid_nip, is_valid_npwp, is_valid_phone
from scanner.pii.npwp import is_valid_npwp15, is_valid_npwp16


class TestNpwp:
    def test_formatted_and_compact(self) -> None:
        assert is_valid_npwp("01.312.166.0-091.000")
        assert is_valid_npwp("013121660091000")

    def test_checksum(self) -> None:
        assert not is_valid_npwp("01.312.166.1-091.000")
        assert not is_valid_npwp15("013121661091000")

    def test_sixteen_digit_forms(self) -> None:
        assert is_valid_npwp16("0013121660091000")
        assert not is_valid_npwp16("0013121661091000")
        assert is_valid_npwp16("3171011708450001")  # NIK-based
        assert not is_valid_npwp16("3171011708450001", allow_nik=False)

    def test_wrong_length(self) -> None:
        assert not is_valid_npwp("01312166009100")


class TestNip:
    @pytest.mark.parametrize("nip", ["198503122010011001", "19850312 201001 1 001", "197001012000032005"])
    def test_valid(self, nip: str) -> None:
        assert is_valid_nip(nip)

    @pytest.mark.parametrize(
        "nip",
        [
            "198502302010011001",  # 30 Feb
            "198503122010131001",  # appointment month 13
            "198503122010013001",  # sex digit 3
            "198503122010011000",  # serial 000
            "198503121990011001",  # appointed at 5
            "198503122999011001",  # appointed in the future
            "19850312201001100",  # 17 digits
        ],
    )
    def test_invalid(self, nip: str) -> None:
        assert not is_valid_nip(nip)


class TestPhone:
    @pytest.mark.parametrize(
        "phone",
        [
            "081234567890",
            "0812-3456-7890",
            "0812 3456 7890",
            "+6281234567890",
            "+62 812-3456-7890",
            "6281234567890",
            "08561234567",
            "0895123456789",
        ],
    )
    def test_valid(self, phone: str) -> None:
        assert is_valid_phone(phone)

    @pytest.mark.parametrize(
        "phone",
        [
            "0212345678",
            "+62212345678",
            "0812345",
            "08123456789012345",
            "+6581234567",
            "12345678901",
            "0802345678901",
            "0812****5678",
        ],
    )
    def test_invalid(self, phone: str) -> None:
        assert not is_valid_phone(phone)


@given(st.sampled_from(["0", "62", "+62"]), st.integers(10**5, 10**12))
def test_phone_agrees_with_phonenumbers(prefix: str, rest: int) -> None:
    number = f"{prefix}8{rest}"
    parsed = phonenumbers.parse(number if not number.startswith("62") else "+" + number, "ID")
    expected = phonenumbers.is_valid_number(parsed) and phonenumbers.number_type(parsed) in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )
    assert is_valid_phone(number) == expected


class TestEmail:
    def test_valid(self) -> None:
        assert is_valid_email("budi.santoso@example.go.id")
        assert is_valid_email("a+b@desa.id")

    def test_masked_is_not_an_email(self) -> None:
        assert not is_valid_email("b***@example.go.id")
        assert not is_valid_email("***@example.go.id")
