"""STARTTLS preambles (PostgreSQL, MySQL, SMTP): a scripted plaintext front end that hands the
connection over to a real s_server, as the database or mail server would."""

from __future__ import annotations

import selectors
import socket
import struct
from collections.abc import Callable
from typing import Any

import pytest

from scanner.model import Target, TargetKind
from scanner.probes.base import ProbeInconclusive
from scanner.probes.tls.probe import TlsProbe
from scanner.probes.tls.starttls import mysql_capabilities, preamble_for
from tests.probes.tls.conftest import make_ctx
from tests.probes.tls.servers import Server, responder


def relay(front: socket.socket, port: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as back:
        sel = selectors.DefaultSelector()
        sel.register(front, selectors.EVENT_READ, back)
        sel.register(back, selectors.EVENT_READ, front)
        while True:
            events = sel.select(timeout=5)
            if not events:
                return
            for key, _ in events:
                src: socket.socket = key.fileobj  # type: ignore[assignment]
                data = src.recv(65536)
                if not data:
                    return
                key.data.sendall(data)


def postgres_front(port: int, accept: bool = True) -> Callable[[socket.socket], None]:
    def handle(sock: socket.socket) -> None:
        request = sock.recv(8)
        assert struct.unpack("!II", request) == (8, 80877103)
        sock.sendall(b"S" if accept else b"N")
        if accept:
            relay(sock, port)
    return handle


def mysql_greeting(ssl: bool) -> bytes:
    caps = 0xFFFF if ssl else 0xF7FF  # bit 0x0800 = CLIENT_SSL
    payload = (b"\x0a" + b"8.0.36-pindai\x00" + struct.pack("<I", 7) + b"abcdefgh" + b"\x00"
               + struct.pack("<H", caps) + b"\x21" + struct.pack("<H", 2) + struct.pack("<H", 0x81FF)
               + b"\x15" + b"\x00" * 10 + b"ijklmnopqrst\x00" + b"caching_sha2_password\x00")
    return len(payload).to_bytes(3, "little") + b"\x00" + payload


def mysql_front(port: int, ssl: bool = True) -> Callable[[socket.socket], None]:
    def handle(sock: socket.socket) -> None:
        sock.sendall(mysql_greeting(ssl))
        if not ssl:
            sock.recv(100)
            return
        header = sock.recv(4)
        body = sock.recv(int.from_bytes(header[:3], "little"))
        assert header[3] == 1 and struct.unpack("<I", body[:4])[0] & 0x0800
        relay(sock, port)
    return handle


def smtp_front(port: int) -> Callable[[socket.socket], None]:
    def handle(sock: socket.socket) -> None:
        sock.sendall(b"220 mail.contoh.go.id ESMTP\r\n")
        assert sock.recv(256).startswith(b"EHLO ")
        sock.sendall(b"250-mail.contoh.go.id\r\n250-PIPELINING\r\n250 STARTTLS\r\n")
        assert sock.recv(256) == b"STARTTLS\r\n"
        sock.sendall(b"220 2.0.0 Ready to start TLS\r\n")
        relay(sock, port)
    return handle


def run(location: str, port: int, kind: TargetKind = TargetKind.DATABASE, **options: Any) -> dict[str, Any]:
    target = Target(kind, location, options={"tls_port": port, **options})
    return TlsProbe().run(target, make_ctx())


@pytest.mark.parametrize(("protocol", "front"), [("postgres", postgres_front), ("mysql", mysql_front),
                                                 ("smtp", smtp_front)])
def test_starttls_reaches_real_tls_server(servers: dict[str, Server], protocol: str,
                                          front: Callable[[int], Callable[[socket.socket], None]]) -> None:
    backend = servers["modern12"]
    with responder(front(backend.port)) as srv:
        location = {"postgres": "postgresql://pindai@127.0.0.1/simpeg", "mysql": "mysql://pindai@127.0.0.1/simpeg",
                    "smtp": "https://127.0.0.1/"}[protocol]
        kind = TargetKind.URL if protocol == "smtp" else TargetKind.DATABASE
        facts = run(location, srv.port, kind, starttls=protocol, ca_file=backend.ca_file)
    assert facts["starttls"] == protocol
    assert {p["name"] for p in facts["protocols"] if p["accepted"]} == {"TLSv1.2"}
    assert len(facts["cipher_suites"]) == 3
    assert facts["certificate"]["status"] == "ok" and facts["certificate"]["trusted"] is True


def test_postgres_refusing_ssl_is_inconclusive() -> None:
    with responder(postgres_front(0, accept=False)) as srv:
        facts = run("postgresql://pindai@127.0.0.1/simpeg", srv.port, starttls="postgres", tls_timeout=0.5)
    assert all(p["status"] == "inconclusive" and "refused SSL" in p["reason"] for p in facts["protocols"])


def test_mysql_without_ssl_capability_is_inconclusive() -> None:
    with responder(mysql_front(0, ssl=False)) as srv:
        facts = run("mysql://pindai@127.0.0.1/simpeg", srv.port, starttls="mysql", tls_timeout=0.5)
    assert all("does not offer SSL" in p["reason"] for p in facts["protocols"])


def test_mysql_capability_parser() -> None:
    payload = mysql_greeting(True)[4:]
    assert mysql_capabilities(payload) & 0x0800
    with pytest.raises(ValueError):
        mysql_capabilities(b"\x09garbage")


def test_unknown_starttls_protocol() -> None:
    with pytest.raises(ValueError):
        preamble_for("gopher")
    target = Target(TargetKind.URL, "https://127.0.0.1:1/", options={"starttls": "gopher"})
    with pytest.raises((ValueError, ProbeInconclusive)):
        TlsProbe().run(target, make_ctx())
