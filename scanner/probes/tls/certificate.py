"""Certificate-chain observations with ``cryptography``: trust path, validity, names, keys.

The chain comes from the TLS <= 1.2 Certificate message or, for TLS 1.3-only servers, from
one ordinary stdlib ``ssl`` handshake with verification off.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import socket
import ssl
import warnings
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from functools import lru_cache
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509.oid import NameOID
from cryptography.x509.verification import (
    DNSName,
    IPAddress,
    PolicyBuilder,
    Store,
    VerificationError,
)

from scanner.net import resolve
from scanner.net.urls import is_ip_literal
from scanner.probes.base import SubStatus, inconclusive, subcheck
from scanner.running.politeness import politeness_key

# Module-level filters, because warnings.catch_warnings() is not thread-safe and probes run in
# many threads: old system roots carry negative serials (CryptographyDeprecationWarning), and
# enabling TLS 1.0 to fetch a legacy server's chain is deliberate (ssl DeprecationWarning).
warnings.filterwarnings("ignore", category=CryptographyDeprecationWarning)
warnings.filterwarnings("ignore", message="ssl.TLSVersion.TLSv1 is deprecated", category=DeprecationWarning)

SYSTEM_BUNDLES = ("/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt")


@lru_cache(maxsize=8)
def _load_pem_file(path: str) -> tuple[x509.Certificate, ...]:
    try:
        with open(path, "rb") as fh:
            return tuple(x509.load_pem_x509_certificates(fh.read()))
    except (OSError, ValueError):
        return ()


def trust_anchors(extra_ca_file: str | None = None) -> list[x509.Certificate]:
    """certifi + the system bundle + an optional extra CA file (e.g. a test CA)."""
    paths: list[str] = []
    try:
        import certifi

        paths.append(certifi.where())
    except ImportError:  # pragma: no cover - certifi is a dependency
        pass
    paths.extend(p for p in SYSTEM_BUNDLES if os.path.exists(p))
    if extra_ca_file:
        paths.append(extra_ca_file)
    seen: dict[bytes, x509.Certificate] = {}
    for path in paths:
        for cert in _load_pem_file(path):
            seen.setdefault(cert.fingerprint(hashes.SHA256()), cert)
    return list(seen.values())


def fetch_chain_stdlib(
    host: str,
    port: int,
    sni: str | None,
    timeout: float,
    slot: Callable[[str], AbstractContextManager[None]] | None = None,
    preamble: Callable[[socket.socket, float], None] | None = None,
) -> tuple[list[bytes], str]:
    """DER chain as sent by the server, via one stdlib handshake (no verification)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    try:
        ctx.minimum_version = ssl.TLSVersion.TLSv1
        ctx.set_ciphers("ALL:COMPLEMENTOFALL:@SECLEVEL=0")
    except (ValueError, ssl.SSLError):
        pass
    server_hostname = sni if sni and not is_ip_literal(sni) else None
    try:
        with slot(politeness_key(host, port)) if slot else nullcontext(), resolve.connect(host, port, timeout) as raw:
            if preamble is not None:
                preamble(raw, timeout)
            with ctx.wrap_socket(raw, server_hostname=server_hostname) as tls:
                chain = _unverified_chain(tls)
                if not chain:
                    leaf = tls.getpeercert(binary_form=True)
                    chain = [leaf] if leaf else []
                return chain, ""
    except (OSError, ssl.SSLError, ValueError) as exc:
        return [], f"{type(exc).__name__}: {exc}"


def _unverified_chain(tls: ssl.SSLSocket) -> list[bytes]:
    """The presented chain; public API from Python 3.13, private before."""
    getter = getattr(tls, "get_unverified_chain", None)
    if getter is None:
        sslobj = getattr(tls, "_sslobj", None)
        getter = getattr(sslobj, "get_unverified_chain", None)
    if getter is None:
        return []
    try:
        certs: list[Any] = getter() or []
    except (ssl.SSLError, ValueError):
        return []
    out: list[bytes] = []
    for cert in certs:
        if isinstance(cert, bytes):
            out.append(cert)
        else:
            out.append(cert.public_bytes(ssl._ssl.ENCODING_DER))  # type: ignore[attr-defined]
    return out


def _name(name: x509.Name) -> str:
    return name.rfc4514_string()


def _key_info(cert: x509.Certificate) -> dict[str, Any]:
    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        return {"key_type": "RSA", "key_bits": key.key_size, "curve": None}
    if isinstance(key, ec.EllipticCurvePublicKey):
        return {"key_type": "EC", "key_bits": key.curve.key_size, "curve": key.curve.name}
    if isinstance(key, ed25519.Ed25519PublicKey):
        return {"key_type": "Ed25519", "key_bits": 256, "curve": "ed25519"}
    if isinstance(key, ed448.Ed448PublicKey):
        return {"key_type": "Ed448", "key_bits": 456, "curve": "ed448"}
    if isinstance(key, dsa.DSAPublicKey):
        return {"key_type": "DSA", "key_bits": key.key_size, "curve": None}
    return {"key_type": type(key).__name__, "key_bits": None, "curve": None}


def _sig_hash(cert: x509.Certificate) -> str | None:
    try:
        algo = cert.signature_hash_algorithm
    except Exception:  # unsupported algorithm (e.g. MD2): fall back to the OID name
        oid_name = getattr(cert.signature_algorithm_oid, "_name", "")
        return "md2" if "md2" in oid_name.lower() else None
    return algo.name if algo is not None else None


def _self_signed(cert: x509.Certificate) -> bool:
    if cert.issuer != cert.subject:
        return False
    try:
        cert.verify_directly_issued_by(cert)
    except Exception:
        return False
    return True


def _sans(cert: x509.Certificate) -> tuple[list[str], list[str]]:
    try:
        ext = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return [], []
    dns = ext.get_values_for_type(x509.DNSName)
    ips = [str(ip) for ip in ext.get_values_for_type(x509.IPAddress)]
    return dns, ips


def hostname_matches(hostname: str, dns_names: list[str], ips: list[str]) -> bool:
    """RFC 6125 matching: exact or single left-most wildcard label; IPs against IP SANs."""
    host = hostname.strip("[]").lower().rstrip(".")
    if is_ip_literal(host):
        want = ipaddress.ip_address(host)
        return any(ipaddress.ip_address(ip) == want for ip in ips)
    for pattern in dns_names:
        pattern = pattern.lower().rstrip(".")
        if pattern == host:
            return True
        if (pattern.startswith("*.") and "." in host and pattern.count(".") >= 2
                and host.split(".", 1)[1] == pattern[2:]):
            return True
    return False


def _cert_summary(cert: x509.Certificate, now: dt.datetime) -> dict[str, Any]:
    not_before = cert.not_valid_before_utc
    not_after = cert.not_valid_after_utc
    return {
        "subject": _name(cert.subject),
        "issuer": _name(cert.issuer),
        "not_before": not_before.isoformat(),
        "not_after": not_after.isoformat(),
        "days_left": (not_after - now).days,
        "expired": not_after < now,
        "not_yet_valid": not_before > now,
        "lifetime_days": (not_after - not_before).days,
        "signature_algorithm": getattr(cert.signature_algorithm_oid, "_name", ""),
        "signature_hash": _sig_hash(cert),
        "self_signed": _self_signed(cert),
        "sha256": cert.fingerprint(hashes.SHA256()).hex(),
        **_key_info(cert),
    }


def analyse_chain(
    chain_der: list[bytes],
    hostname: str,
    *,
    extra_ca_file: str | None = None,
    ocsp_stapled: bool | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Observations about a presented chain (leaf first)."""
    now = now or dt.datetime.now(dt.UTC)
    if not chain_der:
        return inconclusive("no certificate received")

    def observe() -> dict[str, Any]:
        certs = [x509.load_der_x509_certificate(d) for d in chain_der]
        # cryptography parses names, extensions and keys lazily: any of them may still raise.
        return _analyse(certs, hostname, extra_ca_file, ocsp_stapled, now)

    # a hostile peer's DER must never cost the other TLS facts
    return subcheck("certificate", observe, lambda exc: f"unparseable certificate: {type(exc).__name__}: {exc}")


def _analyse(
    certs: list[x509.Certificate],
    hostname: str,
    extra_ca_file: str | None,
    ocsp_stapled: bool | None,
    now: dt.datetime,
) -> dict[str, Any]:
    leaf, rest = certs[0], certs[1:]
    dns, ips = _sans(leaf)
    cn = [a.value for a in leaf.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
    summary = _cert_summary(leaf, now)
    anchors = trust_anchors(extra_ca_file)
    trusted, error = _validate(leaf, rest, anchors, dns, ips, now)
    chain_complete = _chain_complete(leaf, rest, {a.subject for a in anchors}, summary["self_signed"])
    return {
        "status": SubStatus.OK,
        "reason": "",
        "hostname": hostname,
        "chain_length": len(certs),
        "leaf": {**summary, "san_dns": dns, "san_ip": ips, "common_name": cn},
        "intermediates": [_cert_summary(c, now) for c in rest],
        "hostname_match": hostname_matches(hostname, dns, ips),
        "trusted": trusted,
        "validation_error": error,
        "chain_complete": chain_complete,
        "ocsp_stapling": ocsp_stapled,
        "weakest_signature_hash": _weakest(
            [summary["signature_hash"]]
            + [_sig_hash(c) for c in rest if not _self_signed(c)]
        ),
    }


def _chain_complete(
    leaf: x509.Certificate, rest: list[x509.Certificate], anchors: set[x509.Name], self_signed: bool
) -> bool | None:
    """Walk issuers through the presented certificates.

    True: the walk ends at a self-signed certificate or a trust anchor's subject. False: the
    leaf's issuer is neither presented nor an anchor (missing intermediate). None: self-signed
    leaf, or intermediates were presented but their issuer is unknown (e.g. a private root).
    """
    if self_signed:
        return None
    by_subject = {c.subject: c for c in rest}
    current, seen = leaf, 0
    while seen <= len(rest):
        if current.issuer in anchors or (current is not leaf and _self_signed(current)):
            return True
        parent = by_subject.get(current.issuer)
        if parent is None or parent is current:
            return False if current is leaf else None
        current, seen = parent, seen + 1
    return None


_HASH_RANK = {"md2": 0, "md5": 1, "sha1": 2, "sha224": 3, "sha256": 4, "sha384": 5, "sha512": 6}


def _weakest(hashes_seen: list[str | None]) -> str | None:
    known = [h for h in hashes_seen if h in _HASH_RANK]
    return min(known, key=lambda h: _HASH_RANK[h]) if known else None


def _validate(
    leaf: x509.Certificate,
    intermediates: list[x509.Certificate],
    anchors: list[x509.Certificate],
    dns: list[str],
    ips: list[str],
    now: dt.datetime,
) -> tuple[bool, str]:
    """Path validation to the anchors, for the leaf's own first name (hostname is separate)."""
    if not anchors:
        return False, "no trust anchors available"
    subject: DNSName | IPAddress
    if dns:
        subject = DNSName(dns[0].replace("*.", "wildcard-check.", 1))
    elif ips:
        subject = IPAddress(ipaddress.ip_address(ips[0]))
    else:
        return False, "certificate has no subjectAltName"
    try:
        verifier = PolicyBuilder().store(Store(anchors)).time(now).build_server_verifier(subject)
        verifier.verify(leaf, intermediates)
    except VerificationError as exc:
        return False, str(exc)
    except ValueError as exc:
        return False, f"invalid: {exc}"
    return True, ""
