"""One TCP connection, one ClientHello, one parsed server flight.

Every network failure is reported as data (:class:`Exchange.error`) rather than raised,
except "cannot connect at all", which is :class:`Unreachable`.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from dataclasses import dataclass, field

from scanner.net import resolve
from scanner.net.sniff import looks_like_plain_http
from scanner.probes.tls.wire import ServerFlight, TlsParseError
from scanner.running.politeness import politeness_key

# A STARTTLS preamble: given a connected socket and a timeout, negotiate plaintext until the
# peer expects a TLS ClientHello; raise OSError/ValueError when that fails.
Preamble = Callable[[socket.socket, float], None]
SlotFactory = Callable[[str], AbstractContextManager[None]]

MAX_RESPONSE = 512 * 1024
PLAIN_HTTP = "garbage: not TLS, the port answers plain HTTP"


class Unreachable(Exception):
    """No TCP connection could be opened (refused, unresolvable, no route)."""


@dataclass
class Exchange:
    """What happened on one connection."""

    flight: ServerFlight = field(default_factory=ServerFlight)
    error: str = ""  # "", "timeout", "reset", "closed", "truncated", "garbage: ...", PLAIN_HTTP, "preamble: ..."
    followup: ServerFlight | None = None
    elapsed: float = 0.0

    @property
    def answered(self) -> bool:
        f = self.flight
        return f.server_hello is not None or f.alert is not None or f.sslv2 is not None


@dataclass
class Connector:
    """Opens connections to one endpoint, politely, with an RTT-scaled timeout."""

    host: str
    port: int
    max_timeout: float = 10.0
    min_timeout: float = 1.5
    slot: SlotFactory | None = None
    preamble: Preamble | None = None
    fixed_timeout: float | None = None
    connections: int = 0
    rtt: float | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def timeout(self) -> float:
        if self.fixed_timeout is not None:
            return self.fixed_timeout
        if self.rtt is None:
            return self.max_timeout
        return min(self.max_timeout, max(self.min_timeout, 10 * self.rtt + 0.5))

    @contextmanager
    def _slot(self) -> Iterator[None]:
        with self.slot(politeness_key(self.host, self.port)) if self.slot else nullcontext():
            yield

    def _connect(self, timeout: float) -> socket.socket:
        start = time.monotonic()
        try:
            sock = resolve.connect(self.host, self.port, timeout)  # the scope-checked address
        except (ConnectionRefusedError, socket.gaierror) as exc:
            raise Unreachable(f"{type(exc).__name__}: {exc}") from exc
        except OSError as exc:
            raise Unreachable(f"connect failed: {exc}") from exc
        rtt = time.monotonic() - start
        with self._lock:
            self.connections += 1
            self.rtt = rtt if self.rtt is None else min(self.rtt, rtt)
        return sock

    def exchange(
        self,
        hello: bytes,
        *,
        until: str = "server_hello",
        sslv2: bool = False,
        followup: bytes | None = None,
        timeout_factor: float = 1.0,
    ) -> Exchange:
        """Send ``hello``, read and parse the answer; optionally send ``followup`` after it."""
        timeout = self.timeout * timeout_factor
        ex = Exchange()
        start = time.monotonic()
        with self._slot():
            sock = self._connect(timeout)
            try:
                if self.preamble is not None:
                    try:
                        self.preamble(sock, timeout)
                    except (OSError, ValueError) as exc:
                        ex.error = f"preamble: {exc}"
                        return ex
                sock.settimeout(timeout)
                ex.error = _send_and_read(sock, hello, ex.flight, until, sslv2, start + timeout)
                if followup is not None and not ex.error and ex.flight.done:
                    ex.followup = ServerFlight()
                    err = _send_and_read(sock, followup, ex.followup, "server_hello", False,
                                         time.monotonic() + timeout)
                    if err not in ("", "timeout", "closed"):
                        ex.followup = None
            finally:
                _close(sock)
        ex.elapsed = time.monotonic() - start
        return ex


def _send_and_read(
    sock: socket.socket, data: bytes, flight: ServerFlight, until: str, sslv2: bool,
    deadline: float,
) -> str:
    """Send and read into ``flight`` until it is done; return an error label or ""."""
    received = 0
    head = b""  # the answer's first bytes: tell a plain-HTTP server from TLS garbage
    try:
        sock.sendall(data)
        while not flight.done:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return "timeout"
            sock.settimeout(remaining)
            chunk = sock.recv(65536)
            if not chunk:
                if flight.server_hello is not None and until == "hello_done":
                    return "truncated"
                return "truncated" if received or flight.pending else "closed"
            received += len(chunk)
            head = (head + chunk)[:8] if len(head) < 8 else head
            if received > MAX_RESPONSE:
                return "garbage: response too large"
            flight.feed(chunk, until=until, sslv2=sslv2)
    except TimeoutError:
        return "timeout"
    except ConnectionResetError:
        return "reset"
    except TlsParseError as exc:
        return PLAIN_HTTP if looks_like_plain_http(head) else f"garbage: {exc}"
    except OSError as exc:
        return f"socket error: {exc}"
    return ""


def _close(sock: socket.socket) -> None:
    with suppress(OSError):
        sock.close()
