"""Does a port speak TLS? One TLS ClientHello (built by the standard ``ssl`` module) and a look at the
first bytes of the answer: a bare ``host:port`` from an asset list (nmap) is often a plain-HTTP site.
"""

from __future__ import annotations

import ssl
from contextlib import suppress

from scanner.net import resolve
from scanner.net.urls import is_ip_literal
from scanner.running.politeness import HostGate, politeness_key


def _client_hello(host: str) -> bytes:
    """The bytes of a real TLS ClientHello for ``host`` (no connection: a memory BIO)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = context.wrap_bio(incoming, outgoing, server_hostname=host or None)
    with suppress(ssl.SSLWantReadError):  # the hello is written; the answer never comes (no peer)
        tls.do_handshake()
    return outgoing.read()


def answers_plain_http(host: str, port: int, timeout: float, gate: HostGate | None = None) -> bool:
    """True when ``host:port`` answers a TLS hello with an HTTP status line or an HTML page; False on a
    TLS answer, silence, refusal or any error (the TLS probe then says what happened)."""
    hello = _client_hello("" if is_ip_literal(host) else host)
    try:
        if gate is None:
            return _exchange(host, port, timeout, hello)
        with gate.slot(politeness_key(host, port), rated=False):
            return _exchange(host, port, timeout, hello)
    except OSError:
        return False


def _exchange(host: str, port: int, timeout: float, hello: bytes) -> bool:
    with resolve.connect(host, port, timeout) as sock:
        sock.settimeout(timeout)
        sock.sendall(hello)
        head = sock.recv(16)
    return looks_like_plain_http(head)


def looks_like_plain_http(head: bytes) -> bool:
    """An HTTP status line, or an HTML error page (an HTTP/0.9-style answer to a request line it could
    not parse), never the start of a TLS record (content types 20-24)."""
    return head.startswith(b"HTTP/") or head.lstrip()[:1] == b"<"
