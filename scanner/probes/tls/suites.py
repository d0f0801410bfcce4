"""The cipher-suite registry (IANA codes and names, OpenSSL names, components, strength).

Data lives in ``data/cipher_suites.csv``.  ``strength`` follows ciphersuite.info's classes
(insecure / weak / secure / recommended), derived from the suite's components and the IANA
"Recommended" column; it is a registry classification, not a judgement about a server.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from scanner.probes.tls.wire import SSL2, SSL3, TLS10, TLS11, TLS12, TLS13, VERSION_NAMES

DATA_FILE = Path(__file__).with_name("data") / "cipher_suites.csv"


@dataclass(frozen=True)
class CipherSuite:
    code: int
    name: str  # IANA name (SSL_CK_* for SSLv2 cipher specs)
    openssl_name: str
    kx: str
    auth: str
    enc: str
    bits: int
    mac: str
    aead: bool
    forward_secrecy: bool
    export: bool
    strength: str
    iana_recommended: bool
    iana_registered: bool
    versions: tuple[str, ...]

    def to_fact(self, protocol: str) -> dict[str, object]:
        """The JSON shape used in the probe's ``cipher_suites`` facts."""
        width = 6 if self.code > 0xFFFF else 4
        return {
            "protocol": protocol,
            "name": self.name,
            "openssl_name": self.openssl_name,
            "code": f"0x{self.code:0{width}X}",
            "kx": self.kx,
            "auth": self.auth,
            "enc": self.enc,
            "bits": self.bits,
            "mac": self.mac,
            "strength": self.strength,
            "forward_secrecy": self.forward_secrecy,
            "aead": self.aead,
            "export": self.export,
            "iana_recommended": self.iana_recommended,
        }


@lru_cache(maxsize=1)
def registry() -> dict[int, CipherSuite]:
    """All known suites keyed by code (2-byte TLS codes and 3-byte SSLv2 specs)."""
    out: dict[int, CipherSuite] = {}
    with DATA_FILE.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            code = int(row["code"], 16)
            out[code] = CipherSuite(
                code=code,
                name=row["iana_name"],
                openssl_name=row["openssl_name"],
                kx=row["kx"],
                auth=row["auth"],
                enc=row["enc"],
                bits=int(row["bits"]),
                mac=row["mac"],
                aead=row["aead"] == "1",
                forward_secrecy=row["forward_secrecy"] == "1",
                export=row["export"] == "1",
                strength=row["strength"],
                iana_recommended=row["iana_recommended"] == "Y",
                iana_registered=row["iana_registered"] == "Y",
                versions=tuple(row["versions"].split()),
            )
    return out


def lookup(code: int) -> CipherSuite:
    """The suite for ``code``; unknown codes get a placeholder with strength "unknown"."""
    suite = registry().get(code)
    if suite is not None:
        return suite
    return CipherSuite(code, f"UNKNOWN_0x{code:04X}", "", "", "", "", 0, "", False, False,
                       False, "unknown", False, False, ())


def candidates(version: int) -> list[int]:
    """Codes worth offering in a ClientHello for ``version``."""
    name = VERSION_NAMES[version]
    suites = registry().values()
    if version == SSL2:
        return [s.code for s in suites if "SSLv2" in s.versions]
    if version == TLS13:
        return [s.code for s in suites if s.versions == ("TLSv1.3",)]
    if version in (SSL3, TLS10, TLS11):
        return [s.code for s in suites if name in s.versions and s.code <= 0xFFFF]
    if version == TLS12:
        return [s.code for s in suites
                if s.code <= 0xFFFF and "TLSv1.3" not in s.versions and "SSLv2" not in s.versions]
    raise ValueError(f"unknown version {version:#x}")
