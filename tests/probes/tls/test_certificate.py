"""Certificate observations: unit tests on generated chains and end-to-end via s_server."""

from __future__ import annotations

from typing import Any

import pytest

from scanner.probes.tls.certificate import analyse_chain, hostname_matches
from tests.probes.tls.conftest import scan
from tests.probes.tls.pki import Pki, leaf_variants
from tests.probes.tls.servers import Server


@pytest.fixture(scope="module")
def analysed(pki: Pki) -> dict[str, dict[str, Any]]:
    out = {}
    for name, (leaf, chain) in leaf_variants(pki).items():
        out[name] = analyse_chain([leaf.der()] + [c.der() for c in chain], "localhost",
                                  extra_ca_file=str(pki.ca_file))
    return out


def test_good_chain(analysed: dict[str, dict[str, Any]]) -> None:
    c = analysed["good"]
    assert c["status"] == "ok" and c["trusted"] is True and c["validation_error"] == ""
    assert c["chain_complete"] is True and c["hostname_match"] is True and c["chain_length"] == 2
    leaf = c["leaf"]
    assert leaf["key_type"] == "RSA" and leaf["key_bits"] == 2048 and leaf["signature_hash"] == "sha256"
    assert leaf["expired"] is False and 85 <= leaf["days_left"] <= 90 and leaf["self_signed"] is False
    assert "localhost" in leaf["san_dns"] and "127.0.0.1" in leaf["san_ip"]


def test_untrusted_without_test_ca(pki: Pki) -> None:
    leaf, chain = leaf_variants(pki)["good"]
    c = analyse_chain([leaf.der(), chain[0].der()], "localhost")
    assert c["trusted"] is False and c["validation_error"]
    assert c["chain_complete"] is None  # intermediate presented, root unknown: cannot tell


@pytest.mark.parametrize(("variant", "expect"), [
    ("incomplete", {"trusted": False, "chain_complete": False}),
    ("expired", {"trusted": False, "leaf.expired": True}),
    ("expiring", {"trusted": True, "leaf.expired": False}),
    ("selfsigned", {"trusted": False, "leaf.self_signed": True}),
    ("wronghost", {"trusted": True, "hostname_match": False}),
    ("rsa1024", {"leaf.key_bits": 1024}),
    ("sha1", {"leaf.signature_hash": "sha1", "weakest_signature_hash": "sha1", "trusted": False}),
    ("ecdsa", {"leaf.key_type": "EC", "leaf.curve": "secp256r1", "trusted": True}),
])
def test_variants(analysed: dict[str, dict[str, Any]], variant: str, expect: dict[str, Any]) -> None:
    c = analysed[variant]
    for key, value in expect.items():
        got = c["leaf"][key[5:]] if key.startswith("leaf.") else c[key]
        assert got == value, (variant, key, got)
    if variant == "expiring":
        assert 0 < c["leaf"]["days_left"] < 30


def test_hostname_matching() -> None:
    assert hostname_matches("a.contoh.go.id", ["*.contoh.go.id"], [])
    assert not hostname_matches("a.b.contoh.go.id", ["*.contoh.go.id"], [])
    assert not hostname_matches("contoh.go.id", ["*.contoh.go.id"], [])  # no bare-domain match
    assert hostname_matches("::1", [], ["::1"])
    assert not hostname_matches("127.0.0.2", ["127.0.0.2"], [])  # IPs only match IP SANs


def test_no_chain_is_inconclusive() -> None:
    assert analyse_chain([], "x")["status"] == "inconclusive"
    assert analyse_chain([b"not a cert"], "x")["status"] == "inconclusive"


@pytest.mark.parametrize("variant", ["incomplete", "expired", "wronghost", "sha1"])
def test_end_to_end_certificate_variants(servers: dict[str, Server], variant: str) -> None:
    f = scan(servers[f"cert-{variant}"])
    c = f["certificate"]
    assert c["status"] == "ok" and c["source"] == "tls-handshake"
    if variant == "incomplete":
        assert c["chain_length"] == 1 and c["chain_complete"] is False
    elif variant == "expired":
        assert c["leaf"]["expired"] is True and c["leaf"]["days_left"] < 0
    elif variant == "wronghost":
        assert c["hostname_match"] is False  # scanned as 127.0.0.1, SAN www.contoh.go.id
    else:
        assert c["weakest_signature_hash"] == "sha1"
    assert c["ocsp_stapling"] is False


def test_lazily_parsed_garbage_is_inconclusive_not_an_exception(pki: Pki) -> None:
    """cryptography parses extensions lazily: a malformed SAN must not raise from analyse_chain."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import ExtensionOID

    leaf, _ = leaf_variants(pki)["selfsigned"]
    bad = (x509.CertificateBuilder().subject_name(leaf.cert.subject).issuer_name(leaf.cert.subject)
           .public_key(leaf.key.public_key()).serial_number(1)
           .not_valid_before(leaf.cert.not_valid_before_utc).not_valid_after(leaf.cert.not_valid_after_utc)
           .add_extension(x509.UnrecognizedExtension(ExtensionOID.SUBJECT_ALTERNATIVE_NAME, b"\x30\x03garbage"),
                          critical=False)
           .sign(leaf.key, hashes.SHA256()))
    from cryptography.hazmat.primitives.serialization import Encoding

    c = analyse_chain([bad.public_bytes(Encoding.DER)], "localhost")
    assert c["status"] == "inconclusive" and "unparseable certificate" in c["reason"]
