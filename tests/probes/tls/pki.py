"""Test PKI generated at test time with ``cryptography``: a CA, an intermediate and
leaf certificates in good and bad variants (expired, self-signed, wrong host, weak key,
SHA-1)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import subprocess
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

NOW = dt.datetime.now(dt.UTC)


@dataclass
class Issued:
    cert: x509.Certificate
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def key_pem(self) -> bytes:
        return self.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption())

    def der(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.DER)


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Pindai Test")])


def issue(
    cn: str,
    *,
    issuer: Issued | None = None,
    ca: bool = False,
    sans: tuple[str, ...] = ("localhost", "127.0.0.1"),
    key_bits: int = 2048,
    ec_key: bool = False,
    hash_alg: hashes.HashAlgorithm | None = None,
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
) -> Issued:
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    key = ec.generate_private_key(ec.SECP256R1()) if ec_key else rsa.generate_private_key(65537, key_bits)
    subject = _name(cn)
    signer_key = issuer.key if issuer else key
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.cert.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or NOW - dt.timedelta(days=1))
        .not_valid_after(not_after or NOW + dt.timedelta(days=90))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False)
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                          data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                          encipher_only=False, decipher_only=False), critical=True)
    else:
        names: list[x509.GeneralName] = []
        for san in sans:
            try:
                names.append(x509.IPAddress(ipaddress.ip_address(san)))
            except ValueError:
                names.append(x509.DNSName(san))
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
    cert = builder.sign(signer_key, hash_alg or hashes.SHA256())
    return Issued(cert, key)


def issue_sha1_with_openssl(cn: str, issuer: Issued, folder: Path) -> Issued:
    """SHA-1-signed leaf: ``cryptography`` no longer signs with SHA-1, the openssl CLI still does."""
    key = rsa.generate_private_key(65537, 2048)
    csr = (x509.CertificateSigningRequestBuilder().subject_name(_name(cn))
           .sign(key, hashes.SHA256()))
    (folder / "sha1.csr").write_bytes(csr.public_bytes(serialization.Encoding.PEM))
    (folder / "sha1-issuer.crt").write_bytes(issuer.pem())
    (folder / "sha1-issuer.key").write_bytes(issuer.key_pem())
    (folder / "sha1.ext").write_text("basicConstraints=critical,CA:FALSE\n"
                                     "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
                                     "extendedKeyUsage=serverAuth\n"
                                     "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n")
    subprocess.run(["openssl", "x509", "-req", "-in", str(folder / "sha1.csr"), "-CA", str(folder / "sha1-issuer.crt"),
                    "-CAkey", str(folder / "sha1-issuer.key"), "-CAcreateserial", "-sha1", "-days", "90",
                    "-extfile", str(folder / "sha1.ext"), "-out", str(folder / "sha1-leaf.crt")],
                   check=True, capture_output=True)
    cert = x509.load_pem_x509_certificate((folder / "sha1-leaf.crt").read_bytes())
    return Issued(cert, key)


@dataclass
class Pki:
    root: Issued
    intermediate: Issued
    dir: Path

    def write(self, name: str, leaf: Issued, chain: list[Issued]) -> tuple[Path, Path, Path | None]:
        """Write leaf cert, key and (optional) chain file; return their paths."""
        cert = self.dir / f"{name}.crt"
        key = self.dir / f"{name}.key"
        cert.write_bytes(leaf.pem())
        key.write_bytes(leaf.key_pem())
        chain_path = None
        if chain:
            chain_path = self.dir / f"{name}.chain.pem"
            chain_path.write_bytes(b"".join(c.pem() for c in chain))
        return cert, key, chain_path

    @property
    def ca_file(self) -> Path:
        return self.dir / "root.pem"


def make_pki(folder: Path) -> Pki:
    root = issue("Pindai Test Root CA", ca=True, not_after=NOW + dt.timedelta(days=3650))
    inter = issue("Pindai Test Intermediate CA", ca=True, issuer=root, not_after=NOW + dt.timedelta(days=1800))
    pki = Pki(root, inter, folder)
    pki.ca_file.write_bytes(root.pem())
    return pki


def leaf_variants(pki: Pki) -> dict[str, tuple[Issued, list[Issued]]]:
    """name -> (leaf, chain the server should send after the leaf)."""
    inter = pki.intermediate
    return {
        "good": (issue("localhost", issuer=inter), [inter]),
        "incomplete": (issue("localhost", issuer=inter), []),
        "expired": (issue("localhost", issuer=inter, not_before=NOW - dt.timedelta(days=400),
                          not_after=NOW - dt.timedelta(days=5)), [inter]),
        "expiring": (issue("localhost", issuer=inter, not_after=NOW + dt.timedelta(days=10)), [inter]),
        "selfsigned": (issue("localhost"), []),
        "wronghost": (issue("www.contoh.go.id", issuer=inter, sans=("www.contoh.go.id",)), [inter]),
        "rsa1024": (issue("localhost", issuer=inter, key_bits=1024), [inter]),
        "sha1": (issue_sha1_with_openssl("localhost", inter, pki.dir), [inter]),
        "ecdsa": (issue("localhost", issuer=inter, ec_key=True), [inter]),
    }
