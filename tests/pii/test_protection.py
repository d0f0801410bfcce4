from __future__ import annotations

import base64
import json
import os
import uuid
from collections.abc import Callable

import pytest
from faker import Faker

from fixtures.synthetic import (
    aes_cbc_hex,
    aes_ecb_base64,
    bcrypt_like,
    fernet_token,
    format_preserving_like,
    laravel_crypt,
    masked,
    md5_hex,
    pbkdf2_django,
    pgcrypto_bytea_like,
    sha256_hex,
)
from scanner.pii import classify_protection


@pytest.fixture
def niks(fake: Faker) -> list[str]:
    return [fake.nik() for _ in range(40)]


def test_plaintext(niks: list[str]) -> None:
    p = classify_protection(niks)
    assert (p.state, p.scheme) == ("plaintext", None)
    assert p.evidence.en and p.evidence.id and p.sample_size == 40


@pytest.mark.parametrize(
    ("make", "state", "scheme"),
    [
        (md5_hex, "hashed-weak", "md5"),
        (sha256_hex, "hashed-weak", "sha256"),
        (lambda v: md5_hex(v)[:40].ljust(40, "0"), "hashed-weak", "sha1"),
        (bcrypt_like, "hashed-strong", "bcrypt"),
        (pbkdf2_django, "hashed-strong", "pbkdf2"),
        (fernet_token, "encrypted", "fernet"),
        (laravel_crypt, "encrypted", "laravel-crypt"),
        (pgcrypto_bytea_like, "encrypted", "pgcrypto-pgp"),
        (aes_ecb_base64, "encrypted", "aes-base64"),
        (aes_cbc_hex, "encrypted", "aes-hex"),
        (lambda v: masked("nik", v), "masked", "masked"),
        (lambda v: base64.b64encode(v.encode()).decode(), "plaintext", "base64"),
    ],
)
def test_known_schemes(niks: list[str], make: Callable[[str], str], state: str, scheme: str) -> None:
    p = classify_protection([make(v) for v in niks[:12]])
    assert (p.state, p.scheme) == (state, scheme), p.evidence.en


def test_more_hash_formats() -> None:
    cases = {
        "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG": "argon2",
        "scrypt:32768:8:1$abcd$0123abcd": "scrypt",
        "pbkdf2:sha256:600000$salt$0123abcdef": "pbkdf2",
        "$pbkdf2-sha256$29000$N2bsfQ$abc": "pbkdf2",
        "SCRAM-SHA-256$4096:c2FsdA==$c3RvcmVk:c2VydmVy": "scram-sha-256",
    }
    for value, scheme in cases.items():
        p = classify_protection([value] * 3)
        assert (p.state, p.scheme) == ("hashed-strong", scheme), value
    weak = {
        "$1$saltsalt$abcdefghijklmnopqrstuv": "md5-crypt",
        "*" + "A" * 40: "mysql-native",
        "md5" + "a" * 32: "postgres-md5",
    }
    for value, scheme in weak.items():
        p = classify_protection([value])
        assert (p.state, p.scheme) == ("hashed-weak", scheme), value


def test_bcrypt_work_factor() -> None:
    p = classify_protection([bcrypt_like("x", cost=6), bcrypt_like("y", cost=12)])
    assert p.work_factor == 6 and p.deterministic is False


def test_md5_is_deterministic(niks: list[str]) -> None:
    p = classify_protection([md5_hex(v) for v in niks])
    assert p.deterministic is True


def test_pgp_armor_and_bytea_bytes() -> None:
    armor = "-----BEGIN PGP MESSAGE-----\n\nww0EBwMC...\n-----END PGP MESSAGE-----"
    assert classify_protection([armor]).scheme == "pgp"
    raw = [b"\xc3\x0d\x04\x07" + os.urandom(40) for _ in range(5)]
    assert (classify_protection(raw).state, classify_protection(raw).scheme) == ("encrypted", "pgcrypto-pgp")


def test_binary_ciphertext_blocks() -> None:
    p = classify_protection([os.urandom(16 * (1 + i % 3)) for i in range(20)])
    assert (p.state, p.scheme) == ("encrypted", "aes-binary")


def test_hex_of_mixed_lengths_is_not_a_digest(niks: list[str]) -> None:
    values = [aes_cbc_hex(v)[:32] for v in niks[:6]] + [aes_cbc_hex(v)[:64] for v in niks[6:12]]
    p = classify_protection(values)
    assert (p.state, p.scheme) == ("encrypted", "aes-hex")


def test_format_preserving_with_expected_kind() -> None:
    values = [format_preserving_like() for _ in range(30)]
    p = classify_protection(values, kind="nik")
    assert p.state in ("tokenised", "plaintext")
    assert p.state == "tokenised" or p.ratio >= 0.5


def test_readable_text(fake: Faker) -> None:
    assert classify_protection([fake.address() for _ in range(30)]).state == "plaintext"
    assert classify_protection([fake.name() for _ in range(30)]).state == "plaintext"


def test_uuid_and_empty() -> None:
    ids = [str(uuid.uuid4()) for _ in range(10)]
    assert classify_protection(ids).state == "unknown"
    assert classify_protection(ids, kind="nik").state == "tokenised"
    assert classify_protection([None, "", "  "]).state == "unknown"


def test_jws_payload_is_readable() -> None:
    header = base64.urlsafe_b64encode(b'{"alg":"HS256"}').decode().rstrip("=")
    payload = base64.urlsafe_b64encode(json.dumps({"nik": "x"}).encode()).decode().rstrip("=")
    p = classify_protection([f"{header}.{payload}.c2ln"])
    assert (p.state, p.scheme) == ("plaintext", "jws")


def test_to_dict(niks: list[str]) -> None:
    d = classify_protection([md5_hex(v) for v in niks]).to_dict()
    json.dumps(d)
    assert d["evidence"]["id"] and d["evidence"]["en"]


def test_short_unrecognised_values_are_plaintext() -> None:
    for values in (["Islam", "Kristen", "Islam", "Hindu"], ["L", "P", "L", "P"], ["rahasia123", "admin", "budi1975"]):
        protection = classify_protection(values)
        assert protection.state == "plaintext", values
        assert "too short to be a digest or ciphertext" in protection.evidence.en


def test_password_column_without_hash_format_is_plaintext() -> None:
    protection = classify_protection(["SuperSecretPassword2024!", "Another-Long-Passphrase-99"], kind="password")
    assert protection.state == "plaintext"
    assert "matches a hash format" in protection.evidence.en


def test_long_random_values_without_kind_stay_unknown() -> None:
    values = ["Zq8vX2mL9rT4wB7nK1pC6sD3", "Hy5tR8eW2qA9zX4cV7bN1mL6", "Pk3jH6gF9dS2aQ5wE8rT1yU4"]
    assert classify_protection(values).state == "unknown"


def test_raw_biometrics_and_photos_are_plaintext() -> None:
    import random

    from fixtures.pii_bench.values import fmr_template, jpeg_bytes, png_bytes

    rng = random.Random(5)
    for make, scheme in ((fmr_template, "iso19794-2-fmr"), (jpeg_bytes, "jpeg"), (png_bytes, "png")):
        p = classify_protection([make(rng) for _ in range(10)])
        assert (p.state, p.scheme) == ("plaintext", scheme)
        assert "biometri" in p.evidence.id


def test_masked_emails_of_every_style(fake: Faker) -> None:
    from fixtures.pii_bench.values import mask_email

    for style in range(3):
        p = classify_protection([mask_email(fake.free_email(), style) for _ in range(20)], kind="email")
        assert p.state == "masked", style


def test_aead_blobs_are_encrypted_with_stated_confidence(niks: list[str]) -> None:
    from fixtures.pii_bench.values import aes_gcm_b64, aes_gcm_hex

    key = os.urandom(32)
    for make in (aes_gcm_b64, aes_gcm_hex):
        p = classify_protection([make(n, key) for n in niks], kind="nik")
        assert (p.state, p.scheme, p.extra["confidence"]) == ("encrypted", "aead-like", "medium")


def test_document_numbers_are_plaintext(fake: Faker) -> None:
    import random

    from fixtures.pii_bench.values import birth_certificate, skck_number

    rng = random.Random(3)
    akta = [birth_certificate(fake, rng, fake.date_of_birth()) for _ in range(30)]
    skck = [skck_number(rng) for _ in range(30)]
    for values in (akta, skck):
        p = classify_protection(values, kind="identity_number")
        assert (p.state, p.scheme) == ("plaintext", "structured-identifier")
