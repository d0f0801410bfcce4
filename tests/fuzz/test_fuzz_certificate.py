"""Property-based fuzzing of the TLS probe's certificate analysis (scanner/probes/tls/certificate.py).

``analyse_chain`` receives DER straight from a peer: whatever the bytes, it must return facts
(an inconclusive certificate record at worst) and never raise, or the whole TLS observation
of the target is lost.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import warnings
from functools import lru_cache
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, ExtensionOID, NameOID
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scanner.probes.tls.certificate import analyse_chain, hostname_matches

HOST = "portal.contohkab.go.id"
FUZZ = settings(max_examples=100, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow])
EXTENSION_OIDS = [
    ExtensionOID.SUBJECT_ALTERNATIVE_NAME, ExtensionOID.BASIC_CONSTRAINTS, ExtensionOID.KEY_USAGE,
    ExtensionOID.EXTENDED_KEY_USAGE, ExtensionOID.AUTHORITY_KEY_IDENTIFIER, ExtensionOID.SUBJECT_KEY_IDENTIFIER,
    ExtensionOID.CRL_DISTRIBUTION_POINTS, ExtensionOID.AUTHORITY_INFORMATION_ACCESS,
    ExtensionOID.CERTIFICATE_POLICIES, ExtensionOID.NAME_CONSTRAINTS, ExtensionOID.TLS_FEATURE,
]


@lru_cache(maxsize=1)
def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _builder() -> x509.CertificateBuilder:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Pemerintah Kabupaten Contoh")])
    now = dt.datetime.now(dt.UTC)
    return (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(_key().public_key())
            .serial_number(20261123).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=90)))


@lru_cache(maxsize=1)
def valid_der() -> bytes:
    """A well-formed self-signed leaf with the usual server extensions."""
    cert = (_builder()
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(HOST),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(_key(), hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.DER)


def _analyse(chain: list[bytes]) -> dict[str, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. cryptography's deprecation warning for non-positive serials
        result = analyse_chain(chain, HOST)
    assert result["status"] in ("ok", "inconclusive")
    if result["status"] == "inconclusive":
        assert result["reason"]
    return result


def test_valid_certificate_is_analysed() -> None:
    assert _analyse([valid_der()])["status"] == "ok"


@FUZZ
@given(st.lists(st.binary(max_size=600), min_size=1, max_size=3))
def test_random_bytes_never_raise(chain: list[bytes]) -> None:
    _analyse(chain)


@FUZZ
@given(st.binary(max_size=300), st.integers(min_value=4, max_value=1200))
def test_garbage_after_a_der_sequence_header_never_raises(tail: bytes, length: int) -> None:
    _analyse([b"\x30\x82" + length.to_bytes(2, "big") + tail])


@FUZZ
@given(st.integers(min_value=1, max_value=len(valid_der()) - 1))
def test_truncated_certificate_never_raises(cut: int) -> None:
    _analyse([valid_der()[:cut]])


@FUZZ
@given(st.lists(st.binary(max_size=200), max_size=2))
def test_garbage_intermediates_after_a_valid_leaf_never_raise(rest: list[bytes]) -> None:
    _analyse([valid_der(), *rest])


_MUTATIONS = st.lists(st.tuples(st.integers(min_value=0, max_value=10_000), st.integers(0, 255)),
                      min_size=1, max_size=4)


@FUZZ
@given(_MUTATIONS)
def test_mutated_certificate_never_raises(mutations: list[tuple[int, int]]) -> None:
    """cryptography parses names, extensions and keys lazily: a DER that loads may still fail later."""
    der = bytearray(valid_der())
    for index, value in mutations:
        der[index % len(der)] = value
    _analyse([bytes(der)])


@FUZZ
@given(st.sampled_from(EXTENSION_OIDS), st.binary(max_size=40))
def test_malformed_extension_value_never_raises(oid: x509.ObjectIdentifier, value: bytes) -> None:
    cert = _builder().add_extension(x509.UnrecognizedExtension(oid, value), critical=False).sign(_key(),
                                                                                             hashes.SHA256())
    _analyse([cert.public_bytes(serialization.Encoding.DER)])


_LABEL = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-*", min_size=1, max_size=12)
_NAME = st.one_of(st.lists(_LABEL, min_size=1, max_size=4).map(".".join), st.text(max_size=30))
_IP = st.one_of(st.ip_addresses(v=4), st.ip_addresses(v=6)).map(str)


@FUZZ
@given(st.one_of(_NAME, _IP, _IP.map(lambda ip: f"[{ip}]")), st.lists(_NAME, max_size=4), st.lists(_IP, max_size=3))
def test_hostname_matching_never_raises(hostname: str, dns: list[str], ips: list[str]) -> None:
    assert isinstance(hostname_matches(hostname, dns, ips), bool)
