"""TLS wire format: build ClientHellos, parse what servers answer.

Only what a scanner needs: ClientHello (SSLv2-compatible, SSLv3, TLS 1.0-1.3), record
framing, ServerHello / HelloRetryRequest, Alert, the plaintext TLS <= 1.2 handshake
messages that follow (Certificate, CertificateStatus, ServerKeyExchange) and the SSLv2
SERVER-HELLO.  Parsers raise only :class:`TlsParseError`.
"""

from __future__ import annotations

import hashlib
import os
import struct
from dataclasses import dataclass, field

from scanner.net.urls import is_ip_literal

# --- protocol versions --------------------------------------------------------------

SSL2 = 0x0002
SSL3 = 0x0300
TLS10 = 0x0301
TLS11 = 0x0302
TLS12 = 0x0303
TLS13 = 0x0304

VERSION_NAMES: dict[int, str] = {
    SSL2: "SSLv2",
    SSL3: "SSLv3",
    TLS10: "TLSv1.0",
    TLS11: "TLSv1.1",
    TLS12: "TLSv1.2",
    TLS13: "TLSv1.3",
}

# --- record / handshake types -------------------------------------------------------

CHANGE_CIPHER_SPEC = 20
ALERT = 21
HANDSHAKE = 22
APPLICATION_DATA = 23
HEARTBEAT = 24
RECORD_TYPES = {CHANGE_CIPHER_SPEC, ALERT, HANDSHAKE, APPLICATION_DATA, HEARTBEAT}

HS_SERVER_HELLO = 2
HS_CERTIFICATE = 11
HS_SERVER_KEY_EXCHANGE = 12
HS_CERTIFICATE_REQUEST = 13
HS_SERVER_HELLO_DONE = 14
HS_CERTIFICATE_STATUS = 22

# --- extensions ---------------------------------------------------------------------

EXT_SERVER_NAME = 0
EXT_STATUS_REQUEST = 5
EXT_SUPPORTED_GROUPS = 10
EXT_EC_POINT_FORMATS = 11
EXT_SIGNATURE_ALGORITHMS = 13
EXT_HEARTBEAT = 15
EXT_PADDING = 21
EXT_EXTENDED_MASTER_SECRET = 23
EXT_SESSION_TICKET = 35
EXT_SUPPORTED_VERSIONS = 43
EXT_PSK_KEY_EXCHANGE_MODES = 45
EXT_KEY_SHARE = 51
EXT_RENEGOTIATION_INFO = 0xFF01

SCSV_RENEGOTIATION = 0x00FF
SCSV_FALLBACK = 0x5600

HRR_RANDOM = hashlib.sha256(b"HelloRetryRequest").digest()

ALERT_NAMES: dict[int, str] = {
    0: "close_notify",
    10: "unexpected_message",
    20: "bad_record_mac",
    22: "record_overflow",
    40: "handshake_failure",
    42: "bad_certificate",
    47: "illegal_parameter",
    50: "decode_error",
    51: "decrypt_error",
    70: "protocol_version",
    71: "insufficient_security",
    80: "internal_error",
    86: "inappropriate_fallback",
    90: "user_canceled",
    109: "missing_extension",
    110: "unsupported_extension",
    112: "unrecognized_name",
    120: "no_application_protocol",
}

# --- groups and signature algorithms ------------------------------------------------

GROUP_NAMES: dict[int, str] = {
    1: "sect163k1", 2: "sect163r1", 3: "sect163r2", 4: "sect193r1", 5: "sect193r2",
    6: "sect233k1", 7: "sect233r1", 8: "sect239k1", 9: "sect283k1", 10: "sect283r1",
    11: "sect409k1", 12: "sect409r1", 13: "sect571k1", 14: "sect571r1", 15: "secp160k1",
    16: "secp160r1", 17: "secp160r2", 18: "secp192k1", 19: "secp192r1", 20: "secp224k1",
    21: "secp224r1", 22: "secp256k1", 23: "secp256r1", 24: "secp384r1", 25: "secp521r1",
    26: "brainpoolP256r1", 27: "brainpoolP384r1", 28: "brainpoolP512r1", 29: "x25519",
    30: "x448", 31: "brainpoolP256r1tls13", 32: "brainpoolP384r1tls13",
    33: "brainpoolP512r1tls13", 256: "ffdhe2048", 257: "ffdhe3072", 258: "ffdhe4096",
    259: "ffdhe6144", 260: "ffdhe8192", 0x0200: "MLKEM512", 0x0201: "MLKEM768",
    0x0202: "MLKEM1024", 0x11EB: "SecP256r1MLKEM768", 0x11EC: "X25519MLKEM768",
    0x11ED: "SecP384r1MLKEM1024",
}
GROUP_BITS: dict[int, int] = {
    **{g: b for g, b in ((15, 160), (16, 160), (17, 160), (18, 192), (19, 192), (20, 224),
                          (21, 224), (22, 256), (23, 256), (24, 384), (25, 521), (26, 256),
                          (27, 384), (28, 512), (29, 255), (30, 448), (31, 256), (32, 384),
                          (33, 512))},
    256: 2048, 257: 3072, 258: 4096, 259: 6144, 260: 8192,
}
# Groups that may appear in a TLS 1.3 key_share, most common first.
TLS13_GROUPS: tuple[int, ...] = (
    0x11EC, 29, 23, 24, 25, 30, 0x11EB, 0x11ED, 0x0200, 0x0201, 0x0202, 31, 32, 33,
    256, 257, 258, 259, 260,
)
# Groups for TLS <= 1.2 ECDHE (curves), in a widely accepted order.
TLS12_GROUPS: tuple[int, ...] = (29, 23, 24, 25, 30, 26, 27, 28, 22, 21, 20, 19, 18, 17,
                                 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1,
                                 256, 257, 258, 259, 260)
SIGNATURE_ALGORITHMS: tuple[int, ...] = (
    0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804, 0x0805, 0x0806, 0x0809, 0x080A,
    0x080B, 0x0401, 0x0501, 0x0601, 0x0303, 0x0301, 0x0302, 0x0402, 0x0502, 0x0602,
    0x0203, 0x0201, 0x0202, 0x081A, 0x081B, 0x081C,
)


class TlsParseError(Exception):
    """The bytes are not a well-formed TLS/SSL message (garbage, truncation, overflow)."""


# --- building -----------------------------------------------------------------------


def _u8(n: int) -> bytes:
    return struct.pack("!B", n)


def _u16(n: int) -> bytes:
    return struct.pack("!H", n)


def _u24(n: int) -> bytes:
    return struct.pack("!I", n)[1:]


def _vec8(b: bytes) -> bytes:
    return _u8(len(b)) + b


def _vec16(b: bytes) -> bytes:
    return _u16(len(b)) + b


def _ext(ext_type: int, body: bytes) -> bytes:
    return _u16(ext_type) + _vec16(body)


@dataclass
class HelloOptions:
    """What to put into a ClientHello besides version and suites."""

    sni: str | None = None
    groups: tuple[int, ...] | None = None
    key_share_groups: tuple[int, ...] | None = None  # TLS 1.3; None = (x25519,) if offered
    signature_algorithms: tuple[int, ...] = SIGNATURE_ALGORITHMS
    compression: tuple[int, ...] = (0,)
    fallback_scsv: bool = False
    renegotiation_info: bool = True
    heartbeat: bool = False
    status_request: bool = False
    extensions: bool = True  # False: an extension-less (SSLv3 style) hello
    record_version: int = TLS10


def _key_share_entry(group: int) -> bytes:
    """A syntactically valid public key for ``group``; the handshake never completes."""
    if group == 29:
        key = os.urandom(32)
    elif group == 30:
        key = os.urandom(56)
    elif group in (23, 24, 25):
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        curve = {23: ec.SECP256R1(), 24: ec.SECP384R1(), 25: ec.SECP521R1()}[group]
        key = ec.generate_private_key(curve).public_key().public_bytes(
            Encoding.X962, PublicFormat.UncompressedPoint
        )
    else:
        raise ValueError(f"no key share generator for group {group}")
    return _u16(group) + _vec16(key)


def build_client_hello(version: int, suites: list[int], opts: HelloOptions | None = None) -> bytes:
    """One TLS record holding a ClientHello for ``version`` (SSL3..TLS13) offering ``suites``."""
    opts = opts or HelloOptions()
    suite_list = list(suites)
    if opts.fallback_scsv:
        suite_list.append(SCSV_FALLBACK)
    if not opts.extensions and opts.renegotiation_info:
        suite_list.append(SCSV_RENEGOTIATION)
    legacy_version = min(version, TLS12)
    session_id = os.urandom(32) if version >= TLS13 else b""
    body = (
        _u16(legacy_version)
        + os.urandom(32)
        + _vec8(session_id)
        + _vec16(b"".join(_u16(s) for s in suite_list))
        + _vec8(bytes(opts.compression))
    )
    if opts.extensions:
        exts = b""
        if opts.sni and not is_ip_literal(opts.sni):
            name = opts.sni.encode("idna")
            exts += _ext(EXT_SERVER_NAME, _vec16(_u8(0) + _vec16(name)))
        groups = opts.groups if opts.groups is not None else (
            TLS13_GROUPS if version >= TLS13 else TLS12_GROUPS
        )
        if groups:
            exts += _ext(EXT_SUPPORTED_GROUPS, _vec16(b"".join(_u16(g) for g in groups)))
            exts += _ext(EXT_EC_POINT_FORMATS, _vec8(b"\x00"))
        if version >= TLS12 and opts.signature_algorithms:
            algs = b"".join(_u16(a) for a in opts.signature_algorithms)
            exts += _ext(EXT_SIGNATURE_ALGORITHMS, _vec16(algs))
        if opts.status_request:
            exts += _ext(EXT_STATUS_REQUEST, b"\x01\x00\x00\x00\x00")
        if opts.heartbeat:
            exts += _ext(EXT_HEARTBEAT, b"\x01")
        if version < TLS13:
            exts += _ext(EXT_EXTENDED_MASTER_SECRET, b"")
            exts += _ext(EXT_SESSION_TICKET, b"")
        if opts.renegotiation_info and version < TLS13:
            exts += _ext(EXT_RENEGOTIATION_INFO, b"\x00")
        if version >= TLS13:
            exts += _ext(EXT_SUPPORTED_VERSIONS, _vec8(_u16(TLS13)))
            exts += _ext(EXT_PSK_KEY_EXCHANGE_MODES, _vec8(b"\x01"))
            share_groups = opts.key_share_groups
            if share_groups is None:
                share_groups = (29,) if 29 in (groups or ()) else ()
            shares = b"".join(_key_share_entry(g) for g in share_groups)
            exts += _ext(EXT_KEY_SHARE, _vec16(shares))
        # F5 "ClientHello 256..511 bytes" bug: pad such hellos to 512 bytes (RFC 7685).
        hello_len = 4 + len(body) + 2 + len(exts)
        if 256 <= hello_len < 512:
            pad = max(512 - hello_len - 4, 1)
            exts += _ext(EXT_PADDING, b"\x00" * pad)
        body += _vec16(exts)
    handshake = _u8(1) + _u24(len(body)) + body
    return _u8(HANDSHAKE) + _u16(opts.record_version if version > SSL3 else SSL3) + _vec16(handshake)


def build_sslv2_client_hello(cipher_specs: list[int]) -> bytes:
    """An SSLv2 CLIENT-HELLO (version 0x0002) offering 3-byte ``cipher_specs``."""
    specs = b"".join(struct.pack("!I", c)[1:] for c in cipher_specs)
    challenge = os.urandom(16)
    msg = b"\x01" + _u16(SSL2) + _u16(len(specs)) + _u16(0) + _u16(len(challenge))
    msg += specs + challenge
    return _u16(0x8000 | len(msg)) + msg


def build_heartbeat_request(version: int, claimed_length: int, payload: bytes = b"") -> bytes:
    """A heartbeat request record whose ``payload_length`` may exceed the real payload."""
    msg = _u8(1) + _u16(claimed_length) + payload
    return _u8(HEARTBEAT) + _u16(version) + _vec16(msg)


# --- parsing ------------------------------------------------------------------------


class _Reader:
    """Bounds-checked cursor over bytes; every overrun becomes TlsParseError."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise TlsParseError(f"truncated: need {n} bytes at offset {self.pos}")
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def u8(self) -> int:
        return self.take(1)[0]

    def u16(self) -> int:
        return int.from_bytes(self.take(2), "big")

    def u24(self) -> int:
        return int.from_bytes(self.take(3), "big")

    def vec8(self) -> bytes:
        return self.take(self.u8())

    def vec16(self) -> bytes:
        return self.take(self.u16())

    def vec24(self) -> bytes:
        return self.take(self.u24())

    @property
    def remaining(self) -> int:
        return len(self.data) - self.pos


@dataclass
class Record:
    content_type: int
    version: int
    payload: bytes


MAX_RECORD = 16384 + 2048


def parse_records(data: bytes) -> tuple[list[Record], bytes]:
    """Split ``data`` into complete records; return them and the incomplete tail.

    Raises TlsParseError when the bytes cannot be TLS records (garbage).
    """
    records: list[Record] = []
    pos = 0
    while len(data) - pos >= 5:
        ctype = data[pos]
        major = data[pos + 1]
        length = int.from_bytes(data[pos + 3 : pos + 5], "big")
        if ctype not in RECORD_TYPES or major != 3 or length > MAX_RECORD:
            raise TlsParseError(f"not a TLS record header: {data[pos:pos + 5].hex()}")
        if len(data) - pos < 5 + length:
            break
        version = int.from_bytes(data[pos + 1 : pos + 3], "big")
        records.append(Record(ctype, version, data[pos + 5 : pos + 5 + length]))
        pos += 5 + length
    if len(data) - pos > 0 and data[pos] not in RECORD_TYPES:
        raise TlsParseError(f"not a TLS record header: {data[pos:pos + 5].hex()}")
    return records, data[pos:]


def split_handshake(buffer: bytes) -> tuple[list[tuple[int, bytes]], bytes]:
    """Split concatenated handshake fragments into (type, body) messages and a tail."""
    msgs: list[tuple[int, bytes]] = []
    pos = 0
    while len(buffer) - pos >= 4:
        length = int.from_bytes(buffer[pos + 1 : pos + 4], "big")
        if length > 1 << 20:
            raise TlsParseError(f"handshake message too long: {length}")
        if len(buffer) - pos - 4 < length:
            break
        msgs.append((buffer[pos], buffer[pos + 4 : pos + 4 + length]))
        pos += 4 + length
    return msgs, buffer[pos:]


@dataclass
class Alert:
    level: int
    description: int

    @property
    def name(self) -> str:
        return ALERT_NAMES.get(self.description, f"alert_{self.description}")


def parse_alert(payload: bytes) -> Alert:
    if len(payload) < 2:
        raise TlsParseError("short alert")
    return Alert(payload[0], payload[1])


@dataclass
class ServerHello:
    legacy_version: int
    random: bytes
    session_id: bytes
    cipher_suite: int
    compression: int
    extensions: dict[int, bytes] = field(default_factory=dict)

    @property
    def is_hrr(self) -> bool:
        return self.random == HRR_RANDOM

    @property
    def version(self) -> int:
        """The negotiated version (supported_versions wins over legacy_version)."""
        sv = self.extensions.get(EXT_SUPPORTED_VERSIONS)
        if sv is not None and len(sv) == 2:
            return int.from_bytes(sv, "big")
        return self.legacy_version

    @property
    def selected_group(self) -> int | None:
        ks = self.extensions.get(EXT_KEY_SHARE)
        if ks is None or len(ks) < 2:
            return None
        return int.from_bytes(ks[:2], "big")


def parse_server_hello(body: bytes) -> ServerHello:
    """Parse a ServerHello / HelloRetryRequest handshake body."""
    r = _Reader(body)
    version = r.u16()
    random = r.take(32)
    session_id = r.vec8()
    if len(session_id) > 32:
        raise TlsParseError("session id too long")
    suite = r.u16()
    compression = r.u8()
    exts: dict[int, bytes] = {}
    if r.remaining:
        er = _Reader(r.vec16())
        while er.remaining:
            etype = er.u16()
            edata = er.vec16()
            if etype in exts:
                raise TlsParseError(f"duplicate extension {etype}")
            exts[etype] = edata
    return ServerHello(version, random, session_id, suite, compression, exts)


def parse_certificate_list(body: bytes) -> list[bytes]:
    """DER certificates from a TLS <= 1.2 Certificate message body."""
    r = _Reader(_Reader(body).vec24())
    certs = []
    while r.remaining:
        certs.append(r.vec24())
    return certs


def parse_ske_named_curve(body: bytes) -> int | None:
    """The named group of an ECDHE ServerKeyExchange, or None when not a named curve."""
    if len(body) >= 3 and body[0] == 3:
        return int.from_bytes(body[1:3], "big")
    return None


def parse_ske_dh_bits(body: bytes) -> int:
    """Size in bits of the DH prime p in a DHE ServerKeyExchange."""
    p = _Reader(body).vec16()
    return int.from_bytes(p, "big").bit_length()


@dataclass
class SSLv2ServerHello:
    version: int
    cipher_specs: list[int]
    certificate: bytes


def parse_sslv2_server_hello(data: bytes) -> tuple[SSLv2ServerHello | None, int]:
    """Parse an SSLv2 SERVER-HELLO record; return (hello or None if incomplete, bytes used)."""
    if len(data) < 2:
        return None, 0
    if data[0] & 0x80:
        length, header = ((data[0] & 0x7F) << 8) | data[1], 2
    else:
        if len(data) < 3:
            return None, 0
        length, header = ((data[0] & 0x3F) << 8) | data[1], 3
    if len(data) < header + length:
        return None, 0
    r = _Reader(data[header : header + length])
    if r.u8() != 4:
        raise TlsParseError("not an SSLv2 SERVER-HELLO")
    r.u8()  # session id hit
    r.u8()  # certificate type
    version = r.u16()
    cert_len, specs_len, conn_len = r.u16(), r.u16(), r.u16()
    cert = r.take(cert_len)
    specs_raw = r.take(specs_len)
    r.take(conn_len)
    if specs_len % 3:
        raise TlsParseError("bad SSLv2 cipher spec length")
    specs = [int.from_bytes(specs_raw[i : i + 3], "big") for i in range(0, specs_len, 3)]
    return SSLv2ServerHello(version, specs, cert), header + length


# --- incremental response parsing ---------------------------------------------------


@dataclass
class ServerFlight:
    """Everything parsed from a server's answer to one ClientHello, incrementally."""

    server_hello: ServerHello | None = None
    alert: Alert | None = None
    messages: list[tuple[int, bytes]] = field(default_factory=list)
    heartbeats: list[Record] = field(default_factory=list)
    sslv2: SSLv2ServerHello | None = None
    done: bool = False  # nothing more worth waiting for
    _raw: bytes = b""
    _hs: bytes = b""

    def feed(self, data: bytes, *, until: str = "server_hello", sslv2: bool = False) -> None:
        """Add received bytes; ``until`` is "server_hello" or "hello_done"."""
        self._raw += data
        if sslv2 and not self._raw.startswith(b"\x15") and not self._raw.startswith(b"\x16"):
            header = 2 if self._raw[:1] and self._raw[0] & 0x80 else 3
            if len(self._raw) > header and self._raw[header] == 0:  # SSLv2 ERROR message
                self.alert = Alert(2, 40)
                self.done = True
                return
            hello, _ = parse_sslv2_server_hello(self._raw)
            if hello is not None:
                self.sslv2 = hello
                self.done = True
            return
        records, self._raw = parse_records(self._raw)
        for rec in records:
            self._record(rec, until)
            if self.done:
                return

    def _record(self, rec: Record, until: str) -> None:
        if rec.content_type == ALERT:
            self.alert = parse_alert(rec.payload)
            self.done = True
        elif rec.content_type == HEARTBEAT:
            self.heartbeats.append(rec)
            self.done = True
        elif rec.content_type == HANDSHAKE:
            if self.server_hello is not None and self.server_hello.version >= TLS13:
                return
            msgs, self._hs = split_handshake(self._hs + rec.payload)
            for mtype, body in msgs:
                if self.server_hello is None:
                    if mtype != HS_SERVER_HELLO:
                        raise TlsParseError(f"expected ServerHello, got handshake type {mtype}")
                    self.server_hello = parse_server_hello(body)
                    sh = self.server_hello
                    if until == "server_hello" or sh.is_hrr or sh.version >= TLS13:
                        self.done = True
                        return
                else:
                    self.messages.append((mtype, body))
                    if mtype == HS_SERVER_HELLO_DONE:
                        self.done = True
                        return
        elif rec.content_type in (CHANGE_CIPHER_SPEC, APPLICATION_DATA) and self.server_hello is None:
            raise TlsParseError("data before ServerHello")

    @property
    def pending(self) -> bool:
        """Bytes of an incomplete record/message are waiting."""
        return bool(self._raw or self._hs)

    def message(self, mtype: int) -> bytes | None:
        for t, body in self.messages:
            if t == mtype:
                return body
        return None
