"""Resolve each host name once, check the address against the scope, connect to that address.

``address(host)`` resolves a name the first time it is asked (IPv4 first) and remembers the
answer for ``TTL_S``: the URL gate checks that address, politeness is keyed by it, and every
connection Pindai opens goes to it (``connect``): HTTP (``net.session``), the database drivers,
the MySQL plaintext test, the TLS probe (raw hellos, the standard-library handshake, STARTTLS),
the plain-HTTP sniff and the reachability check. So a name cannot resolve to one address for the
check and to another for the connection (DNS rebinding).

``private_refusal`` implements the local-network restriction (like nuclei's
``-restrict-local-network-access``): a name the scope matches only through a wildcard
(``*.contoh.go.id``) that resolves to a loopback, private, link-local or otherwise reserved
address is refused unless the scope names that address (an IP or CIDR) or allows private
addresses. A name written out in the scope, or an IP literal, is the operator's own choice.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time

from scanner.running.scope import Scope

TTL_S = 600.0  # a long-running daemon or worker re-resolves after this long
_cache: dict[str, tuple[str | None, float]] = {}
_lock = threading.Lock()


def _literal(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None


def address(host: str) -> str | None:
    """The address ``host`` is contacted at (an IP literal is itself); None when it does not resolve."""
    literal = _literal(host)
    if literal is not None:
        return literal
    key = host.lower().rstrip(".")
    now = time.monotonic()
    with _lock:
        cached = _cache.get(key)
        if cached is not None and now - cached[1] < TTL_S:
            return cached[0]
    found: str | None = None
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            found = str(socket.getaddrinfo(key, None, family, socket.SOCK_STREAM)[0][4][0])
            break
        except (OSError, UnicodeError, IndexError):
            continue
    with _lock:
        cached = _cache.get(key)
        if cached is None or now - cached[1] >= TTL_S:
            _cache[key] = cached = (found, now)
        return cached[0]


def connect(host: str, port: int, timeout: float | None) -> socket.socket:
    """A TCP connection to the address ``host`` was checked at (``address``), never a fresh DNS
    answer; ``socket.gaierror`` when it does not resolve. TLS on it still names ``host`` (SNI and
    the certificate check are the caller's)."""
    ip = address(host)
    if ip is None:
        raise socket.gaierror(socket.EAI_NONAME, f"{host} does not resolve")
    return socket.create_connection((ip, port), timeout=timeout)


def is_private(ip: str) -> bool:
    """Loopback, private, link-local (cloud metadata), unspecified or reserved."""
    parsed = ipaddress.ip_address(ip)
    return not parsed.is_global or parsed.is_multicast


def private_refusal(host: str, scope: Scope) -> str | None:
    """Why ``host`` (already allowed by name) may not be contacted at its address; None when it may."""
    if scope.allow_any or scope.allow_private or _literal(host) is not None:
        return None
    name = host.lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost") or scope.names(name):
        return None
    ip = address(name)
    if ip is None or not is_private(ip) or scope.allows(ip):
        return None
    return (f"{host} resolves to {ip}, a private or local address the scope does not name "
            "(add the address or its range to the scope)")
