"""ClientHello building and server-answer parsing, including a hypothesis fuzz test."""

from __future__ import annotations

import contextlib
import struct

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scanner.probes.tls import suites, wire
from scanner.probes.tls.wire import (
    HRR_RANDOM,
    SSL3,
    TLS12,
    TLS13,
    HelloOptions,
    ServerFlight,
    TlsParseError,
    build_client_hello,
    build_sslv2_client_hello,
    parse_records,
    parse_server_hello,
    parse_sslv2_server_hello,
)
from tests.probes.tls.servers import handshake, record, server_hello


def _parse_hello(data: bytes) -> tuple[int, int, list[int], dict[int, bytes]]:
    (rec,), rest = parse_records(data)
    assert rest == b"" and rec.content_type == wire.HANDSHAKE
    body = rec.payload[4:]
    version = struct.unpack("!H", body[:2])[0]
    pos = 34
    pos += 1 + body[pos]
    n = struct.unpack("!H", body[pos : pos + 2])[0]
    codes = [struct.unpack("!H", body[pos + 2 + i : pos + 4 + i])[0] for i in range(0, n, 2)]
    pos += 2 + n
    pos += 1 + body[pos]
    exts: dict[int, bytes] = {}
    if pos < len(body):
        pos += 2
        while pos < len(body):
            t, ln = struct.unpack("!HH", body[pos : pos + 4])
            exts[t] = body[pos + 4 : pos + 4 + ln]
            pos += 4 + ln
    return rec.version, version, codes, exts


def test_tls13_hello_has_required_extensions() -> None:
    data = build_client_hello(TLS13, [0x1301, 0x1302], HelloOptions(sni="portal.contoh.go.id"))
    rec_version, version, codes, exts = _parse_hello(data)
    assert rec_version == 0x0301 and version == TLS12
    assert codes[:2] == [0x1301, 0x1302]
    for ext in (wire.EXT_SERVER_NAME, wire.EXT_SUPPORTED_GROUPS, wire.EXT_SIGNATURE_ALGORITHMS,
                wire.EXT_SUPPORTED_VERSIONS, wire.EXT_KEY_SHARE, wire.EXT_PSK_KEY_EXCHANGE_MODES):
        assert ext in exts
    assert exts[wire.EXT_SUPPORTED_VERSIONS] == b"\x02\x03\x04"
    assert b"portal.contoh.go.id" in exts[wire.EXT_SERVER_NAME]
    groups = exts[wire.EXT_SUPPORTED_GROUPS]
    assert b"\x11\xec" in groups  # X25519MLKEM768 offered
    share = exts[wire.EXT_KEY_SHARE]
    assert share[2:4] == b"\x00\x1d" and len(share) == 2 + 4 + 32


def test_tls12_hello_has_no_supported_versions_and_no_sni_for_ip() -> None:
    _, version, _, exts = _parse_hello(build_client_hello(TLS12, [0xC02F], HelloOptions(sni="127.0.0.1")))
    assert version == TLS12
    assert wire.EXT_SUPPORTED_VERSIONS not in exts and wire.EXT_SERVER_NAME not in exts
    assert wire.EXT_RENEGOTIATION_INFO in exts


def test_sslv3_hello_is_extensionless_with_scsv() -> None:
    rec_version, version, codes, exts = _parse_hello(
        build_client_hello(SSL3, [0x0004], HelloOptions(extensions=False, fallback_scsv=True)))
    assert rec_version == SSL3 and version == SSL3 and exts == {}
    assert codes == [0x0004, wire.SCSV_FALLBACK, wire.SCSV_RENEGOTIATION]


def test_hello_in_f5_danger_zone_is_padded() -> None:
    data = build_client_hello(wire.TLS10, list(range(0x0001, 0x0060)), HelloOptions())
    assert not 256 <= len(data) - 5 < 512


def test_sslv2_hello_shape() -> None:
    data = build_sslv2_client_hello([0x010080, 0x0700C0])
    assert data[0] & 0x80 and data[2] == 1 and data[3:5] == b"\x00\x02"
    assert len(data) - 2 == (struct.unpack("!H", data[:2])[0] & 0x7FFF)


def test_server_hello_and_hrr() -> None:
    ext = struct.pack("!HHH", 43, 2, TLS13) + struct.pack("!HHH", 51, 2, 0x11EC)
    sh_body = server_hello(TLS12, 0x1301, ext)[4:]
    sh = parse_server_hello(sh_body)
    assert sh.version == TLS13 and sh.selected_group == 0x11EC and not sh.is_hrr
    hrr = parse_server_hello(sh_body[:2] + HRR_RANDOM + sh_body[34:])
    assert hrr.is_hrr


def test_flight_reassembles_fragmented_handshake() -> None:
    msgs = server_hello(TLS12, 0xC02F) + handshake(11, b"\x00\x00\x00") + handshake(14, b"")
    data = record(22, TLS12, msgs[:10]) + record(22, TLS12, msgs[10:])
    flight = ServerFlight()
    for i in range(0, len(data), 7):  # byte dribble
        flight.feed(data[i : i + 7], until="hello_done")
    assert flight.done and flight.server_hello is not None
    assert [t for t, _ in flight.messages] == [11, 14]


def test_alert_parsed() -> None:
    flight = ServerFlight()
    flight.feed(record(21, TLS12, b"\x02\x28"))
    assert flight.done and flight.alert is not None and flight.alert.name == "handshake_failure"


@pytest.mark.parametrize("garbage", [b"HTTP/1.1 400 Bad Request\r\n\r\n", b"\x16\x07\x00\x00\x01\x00",
                                     b"\x17\x03\x03\x00\x01x", b"\x16\x03\x03\xff\xff"])
def test_garbage_raises_only_parse_error(garbage: bytes) -> None:
    with pytest.raises(TlsParseError):
        f = ServerFlight()
        f.feed(garbage + b"\x00" * 70000)


def test_sslv2_server_hello() -> None:
    cert = b"\x30\x03\x02\x01\x00"
    specs = bytes.fromhex("010080020080")
    body = b"\x04\x00\x01\x00\x02" + struct.pack("!HHH", len(cert), len(specs), 16) + cert + specs + b"c" * 16
    hello, used = parse_sslv2_server_hello(struct.pack("!H", 0x8000 | len(body)) + body)
    assert hello is not None and used == len(body) + 2
    assert hello.cipher_specs == [0x010080, 0x020080]


def test_sslv2_error_is_a_refusal() -> None:
    flight = ServerFlight()
    flight.feed(b"\x80\x03\x00\x00\x01", sslv2=True)  # ERROR: NO-CIPHER
    assert flight.done and flight.alert is not None and flight.alert.name == "handshake_failure"


def test_registry_is_consistent() -> None:
    reg = suites.registry()
    assert len(reg) > 350
    assert reg[0xC02F].openssl_name == "ECDHE-RSA-AES128-GCM-SHA256"
    assert reg[0xC02F].strength == "recommended" and reg[0xC02F].forward_secrecy and reg[0xC02F].aead
    assert reg[0x0004].strength == "insecure"  # RC4
    assert reg[0x0003].export
    assert reg[0x000A].strength == "weak"  # 3DES
    assert reg[0x002F].strength == "weak" and not reg[0x002F].forward_secrecy
    assert reg[0x1301].versions == ("TLSv1.3",)
    assert len(suites.candidates(TLS13)) == 5 and len(suites.candidates(wire.SSL2)) == 7
    assert {s.strength for s in reg.values()} <= {"insecure", "weak", "secure", "recommended"}


# --- fuzzing: the parsers raise nothing but TlsParseError -------------------------------

_record = st.builds(
    lambda t, v, p: record(t, v, p),
    st.sampled_from([20, 21, 22, 23, 24]),
    st.sampled_from([0x0300, 0x0301, 0x0303]),
    st.binary(max_size=300),
)
_hs_record = st.builds(
    lambda mtype, body: record(22, 0x0303, handshake(mtype, body)),
    st.sampled_from([2, 11, 12, 14, 22]),
    st.binary(max_size=200),
)
_mutated_sh = st.builds(
    lambda cut, flip, sh: (lambda b: b[:cut] + bytes([b[cut] ^ flip]) + b[cut + 1 :] if cut < len(b) else b)(sh),
    st.integers(0, 120), st.integers(1, 255),
    st.just(record(22, 0x0303, server_hello(TLS12, 0xC02F, struct.pack("!HHH", 43, 2, TLS13)))),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chunks=st.lists(st.one_of(_record, _hs_record, _mutated_sh, st.binary(max_size=64)), max_size=6),
       until=st.sampled_from(["server_hello", "hello_done"]), sslv2=st.booleans())
def test_fuzz_flight_parser_raises_only_parse_error(chunks: list[bytes], until: str, sslv2: bool) -> None:
    flight = ServerFlight()
    try:
        for chunk in chunks:
            flight.feed(chunk, until=until, sslv2=sslv2)
            if flight.done:
                break
        sh = flight.server_hello
        if sh is not None:
            _ = (sh.version, sh.selected_group, sh.is_hrr)
        for mtype, body in flight.messages:
            if mtype == 11:
                wire.parse_certificate_list(body)
            elif mtype == 12:
                wire.parse_ske_named_curve(body)
                wire.parse_ske_dh_bits(body)
    except TlsParseError:
        pass


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_fuzz_single_parsers(data: bytes) -> None:
    for fn in (parse_server_hello, wire.parse_certificate_list, wire.parse_ske_dh_bits, wire.parse_alert,
               parse_sslv2_server_hello, parse_records):
        with contextlib.suppress(TlsParseError):
            fn(data)
