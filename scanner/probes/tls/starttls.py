"""STARTTLS-style preambles: bring a plaintext connection to the point where the peer
expects a TLS ClientHello (PostgreSQL SSLRequest, MySQL SSL capability, SMTP STARTTLS).

A preamble raises ValueError (peer refuses TLS) or OSError (network) on failure.
"""

from __future__ import annotations

import socket
import struct
from collections.abc import Callable

from scanner.net import wire

Preamble = Callable[[socket.socket, float], None]

DEFAULT_PORTS: dict[str, int] = {"postgres": 5432, "mysql": 3306, "smtp": 25}

PG_SSL_REQUEST = struct.pack("!II", 8, 80877103)
_MYSQL_TLS_FLAGS = wire.CLIENT_PROTOCOL_41 | wire.CLIENT_SECURE_CONNECTION | wire.CLIENT_LONG_PASSWORD


def postgres(sock: socket.socket, timeout: float) -> None:
    """PostgreSQL: SSLRequest, expect 'S'."""
    sock.settimeout(timeout)
    sock.sendall(PG_SSL_REQUEST)
    answer = wire.recv_exact(sock, 1)
    if answer != b"S":
        raise ValueError(f"PostgreSQL refused SSL (answer {answer!r})")


def mysql_capabilities(payload: bytes) -> int:
    """Server capability flags (lower and, if present, upper 16 bits) of a handshake v10."""
    return wire.parse_greeting(payload).capabilities


def mysql(sock: socket.socket, timeout: float) -> None:
    """MySQL/MariaDB: read the greeting, check CLIENT_SSL, send an SSL request packet."""
    sock.settimeout(timeout)
    sequence, payload = wire.read_mysql_packet(sock)
    if not wire.parse_greeting(payload).offers_tls:
        raise ValueError("MySQL server does not offer SSL")
    sock.sendall(wire.mysql_packet(sequence + 1, wire.ssl_request(_MYSQL_TLS_FLAGS)))


def _smtp_reply(sock: socket.socket) -> tuple[int, list[str]]:
    buf = b""
    lines: list[str] = []
    while True:
        while b"\r\n" not in buf:
            chunk = sock.recv(4096)
            if not chunk:
                raise ValueError("SMTP connection closed")
            buf += chunk
            if len(buf) > 65536:
                raise ValueError("SMTP reply too long")
        line, buf = buf.split(b"\r\n", 1)
        text = line.decode("latin-1")
        if len(text) < 3 or not text[:3].isdigit():
            raise ValueError(f"not an SMTP reply: {text[:40]!r}")
        lines.append(text[4:])
        if len(text) == 3 or text[3] == " ":
            return int(text[:3]), lines


def smtp(sock: socket.socket, timeout: float, helo: str = "pindai.invalid") -> None:
    """SMTP: greeting, EHLO, STARTTLS, expect 220."""
    sock.settimeout(timeout)
    code, _ = _smtp_reply(sock)
    if code != 220:
        raise ValueError(f"SMTP greeting {code}")
    sock.sendall(f"EHLO {helo}\r\n".encode())
    code, lines = _smtp_reply(sock)
    if code != 250 or not any(line.upper().startswith("STARTTLS") for line in lines):
        raise ValueError("SMTP server does not offer STARTTLS")
    sock.sendall(b"STARTTLS\r\n")
    code, _ = _smtp_reply(sock)
    if code != 220:
        raise ValueError(f"SMTP STARTTLS answered {code}")


def preamble_for(protocol: str, host: str = "") -> Preamble:
    """The preamble for ``protocol`` ("postgres", "mysql", "smtp")."""
    table: dict[str, Preamble] = {"postgres": postgres, "postgresql": postgres,
                                  "mysql": mysql, "mariadb": mysql, "smtp": smtp}
    try:
        return table[protocol.lower()]
    except KeyError:
        raise ValueError(f"unsupported STARTTLS protocol {protocol!r}") from None
