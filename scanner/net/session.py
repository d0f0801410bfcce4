"""The one way Pindai makes an HTTP session, and the bounded body read every client shares.

``http_session`` ignores the environment (``HTTP(S)_PROXY``, ``NO_PROXY``, ``~/.netrc``,
``REQUESTS_CA_BUNDLE``): a proxy is used only when passed explicitly, so credentials and
target replies never pass through a host the operator did not name. Its sessions never follow
a redirect themselves (callers follow hops through ``scanner.net.urls.gate``), and a malformed
``Location`` no longer raises out of ``requests`` (which parses it even with allow_redirects=False).
Given the scan's politeness gate, a session reports every answer it receives to it, so a 429 or
503 (and its ``Retry-After``) slows down every later request Pindai sends to that service,
whichever probe sends it. ``read_capped`` bounds one response body in size and in total
wall-clock time, and every request is cut when its connection, TLS handshake, status line and
headers take longer than ``BODY_DEADLINE_FACTOR`` x its timeout (or the scan's or probe's deadline,
``scanner.running.deadline``), so a drip-feeding peer cannot hold a request.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from scanner.net.resolve import address
from scanner.net.urls import origin_of
from scanner.running import deadline
from scanner.running.politeness import HostGate, politeness_key

log = logging.getLogger(__name__)
BODY_DEADLINE_FACTOR = 3  # a whole body may take at most 3 x the per-read timeout


_tracked = threading.local()  # the sockets the current request of this thread uses (for the watchdog)


def _track(sock: socket.socket | None) -> None:
    socks = getattr(_tracked, "socks", None)
    if socks is not None and sock is not None:
        socks.append(sock)


def _pinned_conn(conn: HTTPConnection, connect: Callable[[], socket.socket]) -> socket.socket:
    """Connect to the address the gate checked (``net.resolve``), not a fresh DNS answer; the name
    stays the connection's host for ``Host``, SNI and certificate checks."""
    name = conn._dns_host
    conn._dns_host = address(name) or name
    try:
        sock = connect()
    finally:
        conn._dns_host = name
    _track(sock)
    return sock


class _TrackedHTTPConnection(HTTPConnection):
    """Connects to the pinned address and reports its socket to the request watchdog."""

    def _new_conn(self) -> socket.socket:
        return _pinned_conn(self, super()._new_conn)

    def getresponse(self, *args: Any, **kwargs: Any) -> Any:
        _track(self.sock)  # a kept-alive connection is reused without _new_conn
        return super().getresponse(*args, **kwargs)


class _TrackedHTTPSConnection(_TrackedHTTPConnection, HTTPSConnection):
    """The same for HTTPS (TLS is set up on the pinned socket, for the host name)."""


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _TrackedHTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _TrackedHTTPSConnection


_POOLS = {"http": _HTTPPool, "https": _HTTPSPool}


class _TrackedAdapter(HTTPAdapter):
    """An adapter whose connections report their sockets to the request watchdog."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def proxy_manager_for(self, proxy: str, **kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **kwargs)
        manager.pool_classes_by_scheme = _POOLS
        return manager


def _abort(socks: list[socket.socket], fired: threading.Event) -> None:
    fired.set()
    for sock in list(socks):
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            continue


def request_limit(timeout: object) -> float | None:
    """Wall-clock seconds one request may take up to its headers: 3 x its timeout, capped by the deadline."""
    per_read = max(timeout) if isinstance(timeout, tuple) else timeout
    limits = [BODY_DEADLINE_FACTOR * float(per_read)] if isinstance(per_read, int | float) else []
    left = deadline.remaining()
    if left is not None:
        limits.append(left)
    return min(limits) if limits else None


NOT_ORIGIN = "not the target's origin"
UNVERIFIED = "certificate not verified"


class GatedSession(requests.Session):
    """A session that never follows redirects and treats the operator's headers as credentials.

    ``credentials`` (``--header``) go only to ``origin`` (``scheme://host:port`` of the target),
    and never over HTTPS with certificate verification off unless ``allow_unverified`` (the
    operator turned verification off for this target). ``withheld`` counts requests sent without
    them, by reason (``NOT_ORIGIN``, ``UNVERIFIED``).
    """


    def get_redirect_target(self, resp: requests.Response) -> None:
        return None  # every hop is the caller's, through the URL gate

    def __init__(self) -> None:
        super().__init__()
        self.credentials: dict[str, str] = {}
        self.origin = ""
        self.allow_unverified = False
        self.withheld: dict[str, int] = {}
        for prefix in ("http://", "https://"):
            self.mount(prefix, _TrackedAdapter())

    def request(self, method: str | bytes, url: str | bytes, *args: Any,
                **kwargs: Any) -> requests.Response:
        if self.credentials:
            reason = self._withheld_reason(str(url), kwargs.get("verify", self.verify))
            if reason is None:
                kwargs["headers"] = {**self.credentials, **(kwargs.get("headers") or {})}
            else:
                self.withheld[reason] = self.withheld.get(reason, 0) + 1
        limit = request_limit(kwargs.get("timeout"))
        if limit is None:
            return super().request(method, url, *args, **kwargs)
        if limit <= 0:
            raise requests.exceptions.ReadTimeout("time limit reached: request not sent / batas waktu tercapai")
        socks: list[socket.socket] = []
        fired = threading.Event()
        watchdog = threading.Timer(limit, _abort, (socks, fired))
        watchdog.daemon = True
        _tracked.socks = socks
        watchdog.start()
        message = f"no complete response headers within {limit:g} s (wall-clock limit per request)"
        try:
            response = super().request(method, url, *args, **kwargs)
        except requests.RequestException as exc:
            if fired.is_set():
                raise requests.exceptions.ReadTimeout(message) from exc
            raise
        finally:
            watchdog.cancel()
            _tracked.socks = None
        if fired.is_set():  # the cut socket read as a clean end of headers: still a timeout, never an answer
            response.close()
            raise requests.exceptions.ReadTimeout(message)
        return response

    def _withheld_reason(self, url: str, verify: object) -> str | None:
        where = origin_of(url)
        if not where or where != self.origin:
            return NOT_ORIGIN
        if where.startswith("https:") and verify is False and not self.allow_unverified:
            return UNVERIFIED
        return None


def http_session(proxy: str | None = None, user_agent: str | None = None,
                 headers: tuple[tuple[str, str], ...] = (), *, origin: str = "", allow_unverified: bool = False,
                 gate: HostGate | None = None) -> GatedSession:
    """A session with ``trust_env`` off; ``proxy`` (e.g. ``http://127.0.0.1:8080``) for http and https;
    ``headers`` (the operator's ``--header``) only on requests to ``origin``, see :class:`GatedSession`;
    every answer reported to ``gate``."""
    session = GatedSession()
    if gate is not None:
        session.hooks["response"].append(_reporter(gate))
    session.trust_env = False
    session.proxies = {"http": proxy, "https": proxy} if proxy else {}
    if user_agent:
        session.headers["User-Agent"] = user_agent
    session.hooks["response"].append(_log_response)
    session.credentials = dict(headers)
    session.origin = origin
    session.allow_unverified = allow_unverified
    return session


def _reporter(gate: HostGate) -> Any:
    """A response hook telling ``gate`` each status of the service it came from (429/503 back off)."""
    from scanner.net.urls import UnsafeURL, destination

    def report(response: requests.Response, *_args: Any, **_kwargs: Any) -> None:
        try:
            where = destination(response.request.url or "")
        except UnsafeURL:  # never sent: the URL gate refuses such URLs before a request is made
            return
        gate.answered(politeness_key(where.host, where.port), response.status_code,
                      response.headers.get("Retry-After"))

    return report


def _log_response(response: requests.Response, *_args: Any, **_kwargs: Any) -> None:
    """``-vv``: method, URL (no query, tokens and personal values masked), status and time to headers."""
    if log.isEnabledFor(logging.DEBUG):
        from scanner.net.redact import loggable_url

        log.debug("%s %s -> %s (%.2f s)", response.request.method, loggable_url(response.request.url or ""),
                  response.status_code, response.elapsed.total_seconds())


def body_deadline(timeout: float) -> float:
    """Seconds one response body may take in total, given the per-read ``timeout``."""
    return BODY_DEADLINE_FACTOR * timeout


def read_capped(response: requests.Response, limit: int, deadline: float) -> tuple[bytes, bool, bool]:
    """Read at most ``limit`` bytes before the monotonic ``deadline``: (body, truncated, too_slow).

    ``read1`` returns whatever one socket read delivers, so a peer that drips one byte at a time
    cannot keep a request alive past the deadline (each single read is bounded by the timeout).
    """
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        if time.monotonic() > deadline:
            return b"".join(chunks), True, True
        chunk = response.raw.read1(min(65536, limit - size), decode_content=True)
        if not chunk:
            return b"".join(chunks), False, False
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)[:limit], True, False
