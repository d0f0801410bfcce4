"""Per-host politeness: a concurrency cap and a rate limit shared by every probe.

Probes wrap each network connection in ``with gate.slot(host):`` so that scheduling
lives in one place and no probe can overload a government server.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class PolitenessPolicy:
    """Limits applied to each host separately."""

    per_host_concurrency: int = 5
    requests_per_second: float = 10.0
    timeout_s: float = 10.0


class _HostLimiter:
    def __init__(self, policy: PolitenessPolicy) -> None:
        self.semaphore = threading.BoundedSemaphore(policy.per_host_concurrency)
        self.interval = 1.0 / policy.requests_per_second if policy.requests_per_second > 0 else 0.0
        self.lock = threading.Lock()
        self.next_start = 0.0

    def wait_turn(self) -> None:
        with self.lock:
            now = time.monotonic()
            start = max(now, self.next_start)
            self.next_start = start + self.interval
        delay = start - now
        if delay > 0:
            time.sleep(delay)


class HostGate:
    """Hands out connection slots per host, honouring the politeness policy."""

    def __init__(self, policy: PolitenessPolicy | None = None) -> None:
        self.policy = policy or PolitenessPolicy()
        self._limiters: dict[str, _HostLimiter] = {}
        self._lock = threading.Lock()
        self.connections: dict[str, int] = {}

    def _limiter(self, host: str) -> _HostLimiter:
        with self._lock:
            limiter = self._limiters.get(host)
            if limiter is None:
                limiter = self._limiters[host] = _HostLimiter(self.policy)
            return limiter

    @contextmanager
    def slot(self, host: str) -> Iterator[None]:
        """Block until a connection to ``host`` is allowed, then hold the slot."""
        limiter = self._limiter(host.lower())
        with limiter.semaphore:
            limiter.wait_turn()
            with self._lock:
                self.connections[host] = self.connections.get(host, 0) + 1
            yield
