"""The tls probe's facts model: what ``TlsProbe.run`` returns (prose: docs/facts/tls.md).

``docs/facts/tls.schema.json`` is generated from :class:`TlsFacts` (``scripts/facts-schemas``).
"""

from __future__ import annotations

from pydantic import Field

from scanner.probes.facts import FactsModel, ProbeFacts, SubCheck

FACTS_VERSION = "1"
"""Bumped when a field is removed or changes meaning (adding a field keeps the version)."""


class Protocol(SubCheck):
    """One protocol version; all six (SSLv2 … TLSv1.3) are always listed."""

    name: str = Field(description="`SSLv2`, `SSLv3`, `TLSv1.0`, `TLSv1.1`, `TLSv1.2` or `TLSv1.3`")
    accepted: bool | None = Field(description="a ServerHello for this version; null when inconclusive")
    suites_complete: bool | None = Field(
        default=None,
        description="false: the suite enumeration was cut by an inconclusive answer; null unless accepted")
    suite_count: int = 0


class CipherSuite(FactsModel):
    """An accepted suite, described from the IANA registry (the suite, not the server)."""

    protocol: str
    name: str
    openssl_name: str = ""
    code: str = Field(default="", description="hex code (`0xC030`; SSLv2 cipher specs have 3 bytes)")
    kx: str = ""
    auth: str = ""
    enc: str = ""
    bits: int | None = None
    mac: str = ""
    strength: str = Field(default="", description="`insecure`, `weak`, `secure` or `recommended`")
    forward_secrecy: bool = False
    aead: bool = False
    export: bool = False
    iana_recommended: bool = False


class Group(FactsModel):
    """A key-exchange group: TLS 1.3 groups (HelloRetryRequest) and TLS <= 1.2 ECDHE curves."""

    name: str
    code: str
    protocol: str
    bits: int | None = None
    post_quantum: bool = Field(description="an ML-KEM hybrid such as X25519MLKEM768")


class FallbackScsv(SubCheck):
    supported: bool | None = None
    tested_version: str | None = None


class Renegotiation(SubCheck):
    supported: bool | None = None


class Compression(SubCheck):
    accepted: bool | None = None
    method: int | None = None


class Heartbleed(SubCheck):
    heartbeat_extension: bool | None = None
    overlong_heartbeat_answered: bool | None = Field(
        default=None, description="the server answered a heartbeat whose length exceeds its payload")


class Certificate(FactsModel):
    """One certificate of the presented chain."""

    subject: str
    issuer: str
    not_before: str
    not_after: str
    days_left: int
    expired: bool
    not_yet_valid: bool
    lifetime_days: int
    signature_algorithm: str
    signature_hash: str | None = None
    self_signed: bool
    sha256: str
    key_type: str
    key_bits: int | None = None
    curve: str | None = None


class Leaf(Certificate):
    san_dns: list[str] = Field(default_factory=list)
    san_ip: list[str] = Field(default_factory=list)
    common_name: list[str] = Field(default_factory=list)


class Chain(SubCheck):
    """The certificate chain; the fields below ``source`` are present when ``status`` is ok."""

    source: str | None = Field(
        default=None, description="`tls-handshake`, `stdlib-ssl`, `sslv2`, or why no chain was fetched")
    hostname: str | None = None
    chain_length: int | None = None
    leaf: Leaf | None = None
    intermediates: list[Certificate] | None = None
    hostname_match: bool | None = None
    trusted: bool | None = Field(default=None, description="path validation (CA/B-Forum web PKI profile)")
    validation_error: str | None = None
    chain_complete: bool | None = None
    ocsp_stapling: bool | None = None
    weakest_signature_hash: str | None = None


class TlsFacts(ProbeFacts):
    """Facts of the ``tls`` probe: one TLS endpoint (an HTTPS URL or a STARTTLS service)."""

    host: str
    port: int
    sni: str | None = Field(description="the name sent as SNI; null for IP literals")
    starttls: str | None = Field(description="`postgres`, `mysql`, `smtp`, or null for direct TLS")
    protocols: list[Protocol]
    cipher_suites: list[CipherSuite]
    server_preference: dict[str, bool | None] = Field(
        description="per accepted version (not SSLv2): the server imposes its own suite order; null: unknown")
    groups: list[Group]
    groups_status: SubCheck
    dh_param_bits: int | None = Field(description="prime size of finite-field DHE; null without DHE suites")
    fallback_scsv: FallbackScsv
    secure_renegotiation: Renegotiation
    compression: Compression
    extended_master_secret: Renegotiation
    heartbleed: Heartbleed
    certificate: Chain
    connections: int
    rtt_ms: float
    timeout_s: float
