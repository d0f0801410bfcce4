"""One quick check per service before any probe runs: does it answer at all within the timeout?

Dead and filtered hosts are normal in a regional inventory. Without this check a silent
service (packets dropped, or a port that accepts and never answers) costs one timeout per
connection of every probe. Here the first probe to reach a service connects once and waits
for a first answer (TLS handshake for ``https``, a ``HEAD`` reply for ``http``, the greeting or
``SSLRequest`` reply of a database); when none comes within the timeout, every probe of every
target on that service is inconclusive at once. A refused connection or an unknown name is
not "silent": the probes fail fast and report the precise reason themselves.
"""

from __future__ import annotations

import logging
import socket
import ssl
import threading
from typing import Any
from urllib.parse import urlsplit

from scanner.model import Target, TargetKind
from scanner.net import resolve
from scanner.net.urls import is_ip_literal

log = logging.getLogger(__name__)

_DEFAULT_PORTS = {"https": 443, "http": 80, "postgresql": 5432, "postgres": 5432, "mysql": 3306, "mariadb": 3306}
_PG_SSL_REQUEST = b"\x00\x00\x00\x08\x04\xd2\x16\x2f"


def service_of(target: Target) -> tuple[str, str, int] | None:
    """``(scheme, host, port)`` of a network target, else None (files, SQLite, or probes told to connect
    to another port or with STARTTLS)."""
    if target.kind not in (TargetKind.URL, TargetKind.DATABASE) or not target.host:
        return None
    parts = urlsplit(target.location)
    scheme = parts.scheme.split("+", 1)[0].lower()
    if scheme not in _DEFAULT_PORTS or target.options.get("starttls"):
        return None
    try:
        port = parts.port or _DEFAULT_PORTS[scheme]
    except ValueError:
        return None
    if any(target.options.get(name) not in (None, port) for name in ("http_port", "tls_port")):
        return None
    return scheme, target.host, port


def _first_answer(sock: socket.socket, scheme: str, host: str) -> None:
    """Wait for the service's first answer; socket.timeout when none comes."""
    if scheme == "https":
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        try:
            with context.wrap_socket(sock, server_hostname=None if is_ip_literal(host) else host):
                return
        except ssl.SSLError:  # an alert or an odd reply is an answer
            return
    if scheme == "http":
        sock.sendall(f"HEAD / HTTP/1.0\r\nHost: {host}\r\nUser-Agent: pindai\r\n\r\n".encode())
    elif scheme in ("postgresql", "postgres"):
        sock.sendall(_PG_SSL_REQUEST)
    sock.recv(1)  # MySQL/MariaDB greet first; an empty read (closed) is an answer too


def silence(scheme: str, host: str, port: int, timeout: float) -> str:
    """Why the service is silent, or ``""`` when it answered (or failed fast in another way)."""
    try:
        sock = resolve.connect(host, port, timeout)
    except TimeoutError:
        return (f"silent service {host}:{port}: no answer to a connection within {timeout:g} s "
                "(checked once; no probe was run)")
    except OSError:
        return ""
    try:
        with sock:
            _first_answer(sock, scheme, host)
    except TimeoutError:
        return (f"silent service {host}:{port}: accepted a connection but answered nothing within {timeout:g} s "
                "(checked once; no probe was run)")
    except OSError:
        return ""
    return ""


class Reachability:
    """The silence check of each service, done once per process and shared by every probe (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._checks: dict[tuple[str, str, int], tuple[threading.Event, list[str]]] = {}

    def __getstate__(self) -> dict[str, Any]:  # a worker process checks afresh
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__()  # type: ignore[misc]

    def checking(self, target: Target) -> bool:
        """True while another thread is checking ``target``'s service (a worker may take other work)."""
        service = service_of(target)
        with self._lock:
            known = self._checks.get(service) if service else None
        return known is not None and not known[0].is_set()

    def silent(self, target: Target, timeout: float) -> str:
        """The reason ``target``'s service is silent, or ``""``; the first caller per service checks."""
        service = service_of(target)
        if service is None:
            return ""
        with self._lock:
            known = self._checks.get(service)
            if known is None:
                self._checks[service] = known = (threading.Event(), [])
                mine = True
            else:
                mine = False
        done, answer = known
        if mine:
            try:
                answer.append(silence(*service, timeout))
            except Exception as exc:  # a check that breaks must not stop the probes: they say what is wrong
                log.warning("silence check of %s:%d failed: %s: %s", service[1], service[2], type(exc).__name__, exc)
            finally:
                done.set()
        else:
            done.wait()
        return answer[0] if answer else ""
