"""Exact reads and MySQL protocol packets, shared by the STARTTLS preamble (``probes.tls.starttls``),
the MySQL plaintext test (``probes.database.mysql``) and the test servers (``fixtures.hostile.rogue_db``).

Everything here reads hostile bytes: a packet is bounded (``MAX_PACKET``), a short or closed read
raises ``ConnectionError`` and a malformed greeting ``ValueError``.
"""

from __future__ import annotations

import socket
import ssl
import struct
from dataclasses import dataclass

MAX_PACKET = 64 * 1024  # a greeting, an error or a login is far smaller

# capability flags (client and server)
CLIENT_LONG_PASSWORD = 0x0001
CLIENT_CONNECT_WITH_DB = 0x0008
CLIENT_LOCAL_FILES = 0x0080
CLIENT_PROTOCOL_41 = 0x0200
CLIENT_SSL = 0x0800
CLIENT_TRANSACTIONS = 0x2000
CLIENT_SECURE_CONNECTION = 0x8000
CLIENT_MULTI_RESULTS = 0x20000
CLIENT_PLUGIN_AUTH = 0x80000
CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA = 0x200000

UTF8MB4 = 45  # utf8mb4_general_ci
Socket = socket.socket | ssl.SSLSocket


def recv_exact(sock: Socket, n: int) -> bytes:
    """Exactly ``n`` bytes; ``ConnectionError`` when the peer closes first."""
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("connection closed by the peer")
        data += chunk
    return data


def read_mysql_packet(sock: Socket, limit: int = MAX_PACKET) -> tuple[int, bytes]:
    """One MySQL packet: ``(sequence id, payload)``; ``ValueError`` when it announces more than ``limit``."""
    header = recv_exact(sock, 4)
    length = int.from_bytes(header[:3], "little")
    if length > limit:
        raise ValueError(f"MySQL packet of {length} bytes (more than {limit})")
    return header[3], recv_exact(sock, length)


def mysql_packet(sequence: int, payload: bytes) -> bytes:
    """``payload`` framed as a MySQL packet with ``sequence``."""
    return len(payload).to_bytes(3, "little") + bytes([sequence & 0xFF]) + payload


@dataclass(frozen=True)
class Greeting:
    """What a MySQL/MariaDB server says first (initial handshake, protocol 10)."""

    version: str
    capabilities: int
    salt: bytes = b""
    plugin: str = ""

    @property
    def offers_tls(self) -> bool:
        return bool(self.capabilities & CLIENT_SSL)


def parse_greeting(payload: bytes) -> Greeting:
    """Parse a protocol-10 handshake; ``ValueError`` for anything else (an error packet included)."""
    if payload[:1] == b"\xff":
        code, message = mysql_error(payload)
        raise ValueError(f"MySQL sent an error instead of a handshake: {code} {message}")
    if not payload or payload[0] != 10 or b"\x00" not in payload[1:]:
        raise ValueError("not a MySQL protocol-10 handshake")
    end = payload.index(b"\x00", 1)  # server version, NUL-terminated
    version = payload[1:end].decode("latin-1")
    pos = end + 1 + 4  # connection id
    salt = payload[pos : pos + 8]
    pos += 8 + 1  # auth data part 1, filler
    if len(payload) < pos + 2:
        raise ValueError("truncated MySQL handshake")
    lower = int.from_bytes(payload[pos : pos + 2], "little")
    upper = int.from_bytes(payload[pos + 5 : pos + 7], "little") if len(payload) >= pos + 7 else 0
    capabilities = lower | (upper << 16)
    rest = payload[pos + 7 + 1 + 10 :]  # charset, status, upper flags, auth data length, reserved
    plugin = ""
    if capabilities & CLIENT_SECURE_CONNECTION and b"\x00" in rest:
        cut = rest.index(b"\x00")
        salt += rest[:cut]
        rest = rest[cut + 1 :]
    if capabilities & CLIENT_PLUGIN_AUTH:
        plugin = rest.split(b"\x00", 1)[0].decode("latin-1")
    return Greeting(version, capabilities, salt, plugin)


def mysql_error(payload: bytes) -> tuple[int, str]:
    """``(error code, message)`` of an ERR packet (``0xff``), SQL state left out."""
    code = struct.unpack("<H", payload[1:3])[0] if len(payload) >= 3 else 0
    message = payload[3:]
    if message[:1] == b"#":
        message = message[6:]
    return code, message.decode("utf-8", "replace")


def handshake_response(flags: int, user: str, auth: bytes = b"", plugin: str = "") -> bytes:
    """A protocol-41 handshake response (``auth`` sent as it is: empty means no password)."""
    body = struct.pack("<IIB", flags, 16 * 1024 * 1024, UTF8MB4) + b"\x00" * 23
    body += user.encode() + b"\x00" + bytes([len(auth)]) + auth
    if flags & CLIENT_PLUGIN_AUTH:
        body += plugin.encode() + b"\x00"
    return body


def ssl_request(flags: int) -> bytes:
    """The short handshake response that asks the server to start TLS (``CLIENT_SSL`` set)."""
    return struct.pack("<IIB", flags | CLIENT_SSL, 16 * 1024 * 1024, UTF8MB4) + b"\x00" * 23
