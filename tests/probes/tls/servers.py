"""Local TLS servers for tests: ``openssl s_server``, nginx and a scripted raw responder.

Everything listens on 127.0.0.1 with a free port chosen at start time.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import struct
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

OPENSSL = shutil.which("openssl")
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")


@dataclass
class Server:
    name: str
    port: int
    proc: subprocess.Popen[bytes] | None = None
    stop_fn: Callable[[], None] | None = None
    ca_file: str | None = None

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}/"

    def stop(self) -> None:
        if self.stop_fn:
            self.stop_fn()
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def s_server(name: str, cert: Path, key: Path, *args: str, chain: Path | None = None,
             ca_file: str | None = None) -> Server:
    assert OPENSSL, "openssl binary missing"
    port = free_port()
    cmd = [OPENSSL, "s_server", "-accept", f"127.0.0.1:{port}", "-cert", str(cert), "-key", str(key),
           "-www", "-quiet", "-naccept", "100000"]
    if chain:
        cmd += ["-cert_chain", str(chain)]
    cmd += list(args)
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_port(port)
    return Server(name, port, proc, ca_file=ca_file)


NGINX_HEAD = """
daemon off;
master_process on;
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections {connections}; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
"""

LEGACY_SERVERS = """
    server {{
        listen 127.0.0.1:{modern} ssl;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_ciphers {modern_ciphers};
        ssl_prefer_server_ciphers on;
        location / {{ return 200 "ok"; }}
    }}
    server {{
        listen 127.0.0.1:{legacy} ssl;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;
        ssl_ciphers ALL:COMPLEMENTOFALL:@SECLEVEL=0;
        location / {{ return 200 "ok"; }}
    }}
"""


def nginx_conf(folder: Path, http_body: str, connections: int = 256) -> str:
    """A foreground nginx configuration keeping its pid, log and temporary files under ``folder``;
    ``http_body``: the directives and ``server`` blocks of its ``http`` block."""
    return NGINX_HEAD.format(dir=folder, connections=connections) + http_body + "}\n"


def start_nginx(folder: Path, conf: str, *ports: int) -> subprocess.Popen[bytes]:
    """Run nginx on ``conf`` (written into ``folder``) until every port in ``ports`` answers; else its error log."""
    assert NGINX, "nginx missing"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "nginx.conf"
    path.write_text(conf)
    proc = subprocess.Popen([NGINX, "-c", str(path), "-p", str(folder), "-e", str(folder / "error.log")],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for port in ports:
            wait_port(port)
    except RuntimeError as exc:
        proc.terminate()
        log = folder / "error.log"
        raise RuntimeError(log.read_text() if log.exists() else "nginx failed") from exc
    return proc


MODERN_CIPHERS = ":".join([
    "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
    "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
])


def nginx_pair(folder: Path, cert: Path, key: Path) -> tuple[Server, Server]:
    """nginx with a modern (TLS1.2+1.3 AEAD) and a legacy (TLS1.0-1.3, everything) server."""
    modern, legacy = free_port(), free_port()
    servers = LEGACY_SERVERS.format(modern=modern, legacy=legacy, cert=cert, key=key, modern_ciphers=MODERN_CIPHERS)
    proc = start_nginx(folder, nginx_conf(folder, servers), modern, legacy)
    return Server("nginx-modern", modern, proc), Server("nginx-legacy", legacy, None)


# --- a scripted raw responder ---------------------------------------------------------


@dataclass
class ClientHelloInfo:
    sslv2: bool
    version: int  # max version offered (supported_versions for TLS 1.3)
    suites: list[int]
    extensions: dict[int, bytes] = field(default_factory=dict)
    compression: list[int] = field(default_factory=list)
    legacy_version: int = 0


def read_client_hello(sock: socket.socket) -> ClientHelloInfo | None:
    first = sock.recv(2)
    if len(first) < 2:
        return None
    if first[0] & 0x80:
        length = ((first[0] & 0x7F) << 8) | first[1]
        body = _recv(sock, length)
        n_specs = struct.unpack("!H", body[3:5])[0]
        specs = [int.from_bytes(body[9 + i : 12 + i], "big") for i in range(0, n_specs, 3)]
        return ClientHelloInfo(True, struct.unpack("!H", body[1:3])[0], specs)
    rest = _recv(sock, 3)
    length = struct.unpack("!H", rest[1:3])[0]
    hs = _recv(sock, length)
    body = hs[4:]
    version = struct.unpack("!H", body[:2])[0]
    pos = 2 + 32
    pos += 1 + body[pos]
    n = struct.unpack("!H", body[pos : pos + 2])[0]
    suites = [struct.unpack("!H", body[pos + 2 + i : pos + 4 + i])[0] for i in range(0, n, 2)]
    pos += 2 + n
    compression = list(body[pos + 1 : pos + 1 + body[pos]])
    pos += 1 + body[pos]
    exts: dict[int, bytes] = {}
    if pos < len(body):
        end = pos + 2 + struct.unpack("!H", body[pos : pos + 2])[0]
        pos += 2
        while pos < end:
            etype, elen = struct.unpack("!HH", body[pos : pos + 4])
            exts[etype] = body[pos + 4 : pos + 4 + elen]
            pos += 4 + elen
    if 43 in exts:
        sv = exts[43][1:]
        offered = [struct.unpack("!H", sv[i : i + 2])[0] for i in range(0, len(sv), 2)]
        version = max(offered)
    return ClientHelloInfo(False, version, suites, exts, compression, struct.unpack("!H", body[:2])[0])


def _recv(sock: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            break
        data += chunk
    return data


def record(ctype: int, version: int, payload: bytes) -> bytes:
    return struct.pack("!BHH", ctype, version, len(payload)) + payload


def handshake(mtype: int, body: bytes) -> bytes:
    return struct.pack("!B", mtype) + len(body).to_bytes(3, "big") + body


def server_hello(version: int, suite: int, extensions: bytes = b"", compression: int = 0) -> bytes:
    body = struct.pack("!H", version) + b"\x11" * 32 + b"\x00" + struct.pack("!HB", suite, compression)
    if extensions:
        body += struct.pack("!H", len(extensions)) + extensions
    return handshake(2, body)


def certificate_msg(ders: list[bytes]) -> bytes:
    inner = b"".join(len(d).to_bytes(3, "big") + d for d in ders)
    return handshake(11, len(inner).to_bytes(3, "big") + inner)


Handler = Callable[[socket.socket], None]


class RawResponder:
    """Accepts connections on 127.0.0.1 and runs ``handler`` for each in a thread."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = int(self.sock.getsockname()[1])
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        self.sock.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            threading.Thread(target=self._run, args=(conn,), daemon=True).start()

    def _run(self, conn: socket.socket) -> None:
        conn.settimeout(5)
        with contextlib.suppress(OSError), conn:
            self.handler(conn)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


@contextlib.contextmanager
def responder(handler: Handler) -> Iterator[RawResponder]:
    r = RawResponder(handler)
    try:
        yield r
    finally:
        r.stop()


def rst_close(sock: socket.socket) -> None:
    """Close with a TCP RST (SO_LINGER 0)."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()
