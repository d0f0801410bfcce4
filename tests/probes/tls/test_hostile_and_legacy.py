"""Scripted raw responders: SSLv2/SSLv3 with RC4/EXPORT, heartbeat, compression, and hostile
peers (garbage, truncation, silent hang, RST, immediate close) that must give inconclusive
facts without exceptions."""

from __future__ import annotations

import contextlib
import re
import socket
import struct
import time
from collections.abc import Callable
from typing import Any

import pytest

from scanner.model import Target, TargetKind
from scanner.probes.base import ProbeInconclusive
from scanner.probes.tls.probe import TlsProbe
from tests.probes.tls.conftest import make_ctx
from tests.probes.tls.pki import issue
from tests.probes.tls.servers import (
    certificate_msg,
    handshake,
    read_client_hello,
    record,
    responder,
    rst_close,
    server_hello,
)

LEAF = issue("localhost").der()
SSL2_SPECS = [0x010080, 0x020080]  # RC4-MD5, EXP-RC4-MD5
LEGACY_ORDER = [0x0004, 0x0005, 0x0003, 0x0008, 0x000A]  # RC4, RC4, EXP-RC4, EXP-DES, 3DES


def legacy_handler(heartbleed: bool) -> Callable[[socket.socket], None]:
    """An SSLv2 + SSLv3 + TLS 1.0 server with server-ordered RC4/EXPORT/3DES suites, DEFLATE,
    no secure renegotiation, no fallback SCSV, and a heartbeat (vulnerable or not)."""

    def handle(sock: socket.socket) -> None:
        hello = read_client_hello(sock)
        if hello is None:
            return
        if hello.sslv2:
            specs = [s for s in SSL2_SPECS if s in hello.suites]
            if not specs:
                return
            spec_bytes = b"".join(struct.pack("!I", s)[1:] for s in specs)
            body = b"\x04\x00\x01\x00\x02" + struct.pack("!HHH", len(LEAF), len(spec_bytes), 16)
            sock.sendall(struct.pack("!H", 0x8000 | (len(body) + len(LEAF) + len(spec_bytes) + 16))
                         + body + LEAF + spec_bytes + b"c" * 16)
            return
        version = min(hello.legacy_version, 0x0301)
        chosen = next((s for s in LEGACY_ORDER if s in hello.suites), None)
        if chosen is None or version < 0x0300:
            sock.sendall(record(21, 0x0301, b"\x02\x28"))
            return
        exts = b""
        if 15 in hello.extensions and version > 0x0300:
            exts += struct.pack("!HHB", 15, 1, 1)
        compression = 1 if 1 in hello.compression else 0
        flight = server_hello(version, chosen, exts, compression) + certificate_msg([LEAF]) + handshake(14, b"")
        sock.sendall(record(22, version, flight))
        sock.settimeout(1.0)
        try:
            head = sock.recv(5)
        except OSError:
            return
        if len(head) == 5 and head[0] == 24:
            payload = sock.recv(struct.unpack("!H", head[3:5])[0])
            claimed = struct.unpack("!H", payload[1:3])[0]
            if heartbleed:  # answers with `claimed` bytes although none were sent
                sock.sendall(record(24, version, b"\x02" + struct.pack("!H", claimed) + b"X" * claimed + b"P" * 16))
            else:  # RFC 6520: discard silently, wait for the client
                with contextlib.suppress(OSError):
                    sock.recv(1)

    return handle


def run_probe(port: int, **options: Any) -> dict[str, Any]:
    target = Target(TargetKind.URL, f"https://127.0.0.1:{port}/", options=options)
    return TlsProbe().run(target, make_ctx())


def by_name(facts: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in facts["protocols"]}


def test_legacy_sslv2_sslv3_rc4_export_heartbleed() -> None:
    with responder(legacy_handler(heartbleed=True)) as srv:
        f = run_probe(srv.port, tls_timeout=1.0)
    protos = by_name(f)
    assert protos["SSLv2"]["accepted"] is True
    assert protos["SSLv3"]["accepted"] is True and protos["TLSv1.0"]["accepted"] is True
    assert protos["TLSv1.1"]["accepted"] is False and protos["TLSv1.2"]["accepted"] is False
    assert protos["TLSv1.3"]["accepted"] is False
    ssl2 = {c["name"] for c in f["cipher_suites"] if c["protocol"] == "SSLv2"}
    assert ssl2 == {"SSL_CK_RC4_128_WITH_MD5", "SSL_CK_RC4_128_EXPORT40_WITH_MD5"}
    ssl3 = [c for c in f["cipher_suites"] if c["protocol"] == "SSLv3"]
    assert [int(c["code"], 16) for c in ssl3] == LEGACY_ORDER  # server order recovered
    assert f["server_preference"]["SSLv3"] is True
    assert any(c["export"] for c in ssl3) and all(c["strength"] in ("insecure", "weak") for c in ssl3)
    assert f["fallback_scsv"]["supported"] is False
    assert f["secure_renegotiation"]["supported"] is False
    assert f["compression"]["accepted"] is True
    assert f["heartbleed"]["heartbeat_extension"] is True
    assert f["heartbleed"]["overlong_heartbeat_answered"] is True
    assert f["certificate"]["status"] == "ok" and f["certificate"]["leaf"]["self_signed"] is True


def test_patched_heartbeat_is_not_reported() -> None:
    with responder(legacy_handler(heartbleed=False)) as srv:
        f = run_probe(srv.port, tls_timeout=0.5)
    assert f["heartbleed"]["heartbeat_extension"] is True
    assert f["heartbleed"]["overlong_heartbeat_answered"] is False


def _garbage(sock: socket.socket) -> None:
    sock.recv(4096)
    sock.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")


def _truncated(sock: socket.socket) -> None:
    sock.recv(4096)
    sock.sendall(record(22, 0x0303, server_hello(0x0303, 0xC02F))[:20])


def _hang(sock: socket.socket) -> None:
    sock.recv(4096)
    while sock.recv(4096):
        pass


def _rst(sock: socket.socket) -> None:
    sock.recv(4096)
    rst_close(sock)


def _close(sock: socket.socket) -> None:
    sock.recv(4096)


def _junk_record(sock: socket.socket) -> None:
    sock.recv(4096)
    sock.sendall(record(22, 0x0303, b"\x02\x00\x00\x05abcde"))


@pytest.mark.parametrize("handler,reason", [
    (_garbage, "answers plain HTTP"), (_truncated, "no TLS handshake"), (_hang, "no answer (timeout)"),
    (_rst, "connection reset"), (_close, "no TLS handshake"), (_junk_record, "no TLS handshake"),
], ids=["garbage", "truncated", "hang", "rst", "close", "junk-serverhello"])
def test_hostile_peer_without_handshake_is_inconclusive(handler: Callable[[socket.socket], None],
                                                       reason: str) -> None:
    """No TLS version negotiated: the whole observation is inconclusive with the reason, never facts
    whose sub-checks (fallback SCSV, renegotiation ...) read as "ok"."""
    start = time.monotonic()
    with responder(handler) as srv, pytest.raises(ProbeInconclusive, match=re.escape(reason)):
        run_probe(srv.port, tls_timeout=0.3)
    assert time.monotonic() - start < 10


def test_per_host_concurrency_cap_is_respected() -> None:
    """Every connection goes through ctx.gate.slot(host): never more than the cap open at once.

    Counted on the client side, inside the slot, where the politeness promise is made: a
    server-side count can briefly see one more, because a handler may still be finishing
    after the client has closed its socket and released the slot.
    """
    import threading
    from contextlib import contextmanager

    from scanner.probes.base import ProbeContext
    from scanner.running.politeness import HostGate, PolitenessPolicy

    client = {"active": 0, "peak": 0}
    served = {"count": 0}
    lock = threading.Lock()
    inner = legacy_handler(heartbleed=False)

    def handler(sock: socket.socket) -> None:
        time.sleep(0.02)
        with lock:
            served["count"] += 1
        inner(sock)

    class CountingGate(HostGate):
        @contextmanager
        def slot(self, host: str, **kw: bool):  # type: ignore[override]
            with super().slot(host, **kw):
                with lock:
                    client["active"] += 1
                    client["peak"] = max(client["peak"], client["active"])
                try:
                    yield
                finally:
                    with lock:
                        client["active"] -= 1

    gate = CountingGate(PolitenessPolicy(per_host_concurrency=2, requests_per_second=0))
    with responder(handler) as srv:
        target = Target(TargetKind.URL, f"https://127.0.0.1:{srv.port}/", options={"tls_timeout": 0.5})
        facts = TlsProbe().run(target, ProbeContext(gate=gate))
    (used,) = gate.connections.values()  # one service: the TLS server's host and port
    assert facts["connections"] == used > 10
    assert served["count"] >= facts["connections"] - 1
    assert client["peak"] == 2  # the cap is used, and never exceeded


def pq_tls13_handler(sock: socket.socket) -> None:
    """A TLS 1.3-only server preferring X25519MLKEM768 (0x11EC), then x25519; HRR when the
    client's key_share lacks the chosen group. Never completes a handshake."""
    from scanner.probes.tls.wire import HRR_RANDOM

    hello = read_client_hello(sock)
    if hello is None:
        return
    if hello.version < 0x0304:
        sock.sendall(record(21, 0x0303, b"\x02\x46"))  # protocol_version
        return
    offered_groups = hello.extensions.get(10, b"")[2:]
    groups = [struct.unpack("!H", offered_groups[i : i + 2])[0] for i in range(0, len(offered_groups), 2)]
    group = next((g for g in (0x11EC, 29) if g in groups), None)
    suite = next((s for s in (0x1302, 0x1301) if s in hello.suites), None)
    if group is None or suite is None:
        sock.sendall(record(21, 0x0303, b"\x02\x28"))
        return
    shares = hello.extensions.get(51, b"")[2:]
    share_groups, pos = [], 0
    while pos + 4 <= len(shares):
        g, ln = struct.unpack("!HH", shares[pos : pos + 4])
        share_groups.append(g)
        pos += 4 + ln
    if group in share_groups:
        random, key_share = b"\x22" * 32, struct.pack("!HH", group, 32) + b"k" * 32
    else:
        random, key_share = HRR_RANDOM, struct.pack("!H", group)
    exts = struct.pack("!HHH", 43, 2, 0x0304) + struct.pack("!HH", 51, len(key_share)) + key_share
    body = struct.pack("!H", 0x0303) + random + b"\x00" + struct.pack("!HB", suite, 0)
    body += struct.pack("!H", len(exts)) + exts
    sock.sendall(record(22, 0x0303, handshake(2, body)))


def test_post_quantum_group_via_hello_retry_request() -> None:
    with responder(pq_tls13_handler) as srv:
        f = run_probe(srv.port, tls_timeout=0.5)
    assert {p["name"] for p in f["protocols"] if p["accepted"]} == {"TLSv1.3"}
    assert [c["name"] for c in f["cipher_suites"]] == ["TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256"]
    assert f["server_preference"]["TLSv1.3"] is True
    groups = {g["name"]: g for g in f["groups"]}
    assert set(groups) == {"X25519MLKEM768", "x25519"}
    assert groups["X25519MLKEM768"]["post_quantum"] is True and groups["X25519MLKEM768"]["code"] == "0x11EC"
    assert f["certificate"]["status"] == "inconclusive"  # the responder never finishes a handshake
