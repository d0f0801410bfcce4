"""Per-host politeness: a concurrency cap that adapts to how the host is coping.

Probes wrap each network connection in ``with gate.slot(politeness_key(host, port)):`` so that
scheduling lives in one place and no probe can overload a government server. Limits apply per
service (host and port): a port that hangs or answers 429 does not slow the host's other services.

Defaults: at most 5 connections at a time per service (sslyze's tuned default) and no fixed
request rate. When a host shows trouble - a timeout or reset (an ``OSError`` leaving the slot),
or an HTTP 429/503 reported through :meth:`HostGate.answered` - the gate halves the host's
concurrency, spaces new connections (0.1 s, doubling up to 5 s), honours ``Retry-After`` (capped at
60 s) and, after 5 troubles in a row, stops sending to that host (:class:`HostBackedOff`).
Ten clean answers in a row give one connection and half the spacing back. An optional fixed
rate (``requests_per_second``) still applies to requests; TLS handshakes pass ``rated=False`` and
are bounded by concurrency alone. ``global_rate`` spaces requests to every service together
(:class:`GlobalPace`), across the shard processes of one scan too.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from scanner.net.resolve import address
from scanner.running import deadline

if TYPE_CHECKING:
    from multiprocessing.context import BaseContext

BACKOFF_FIRST_S = 0.1
BACKOFF_MAX_S = 5.0
RETRY_AFTER_MAX_S = 60.0
GIVE_UP_AFTER = 5  # troubles in a row
RECOVER_AFTER = 10  # clean answers in a row
TROUBLE_STATUSES = (429, 503)
_DELTA_SECONDS = re.compile(r"[0-9]+", re.ASCII)


@dataclass(frozen=True)
class PolitenessPolicy:
    """Limits applied to each host separately; ``requests_per_second`` 0 means no fixed rate."""

    per_host_concurrency: int = 5
    requests_per_second: float = 0.0
    timeout_s: float = 10.0
    global_rate: float = 0.0  # requests per second across every service together (`--global-rate`); 0: none

    @classmethod
    def from_untrusted(cls, values: dict[str, Any]) -> PolitenessPolicy:
        """A policy from a task a broker delivered: each setting clamped to the CLI's ranges
        (concurrency 1-64, rate 0-1000/s, timeout 0.1-300 s); a missing or unusable one is the default."""
        default = cls()

        def number(name: str, low: float, high: float) -> float:
            try:
                value = float(values.get(name, getattr(default, name)))
            except (TypeError, ValueError, OverflowError):
                return float(getattr(default, name))
            return min(max(value, low), high) if math.isfinite(value) else float(getattr(default, name))

        return cls(int(number("per_host_concurrency", 1, 64)), number("requests_per_second", 0, 1000),
                   number("timeout_s", 0.1, 300), number("global_rate", 0, 10000))


def politeness_key(host: str, port: int | None) -> str:
    """The politeness key of a service: ``address:port``. Each service of a machine keeps its own
    concurrency and back-off, so a hanging port never blocks the healthy ones next to it; names of
    one machine share its address (``net.resolve``), so four names do not get four times the limit."""
    where = address(host) or host
    return f"{where}:{port}" if port else where


class HostBackedOff(OSError):
    """The host kept answering 429/503 or timing out; the gate sends it nothing more."""


class DeadlineReached(HostBackedOff):
    """The scan's or the probe's time limit has passed (``scanner.running.deadline``): no further connection."""


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP-date), capped at 60 s.

    Tolerant of anything a target sends: a value that is neither ASCII digits (RFC 9110 §10.2.3;
    ``²`` or ``٣`` are not) nor a parseable HTTP-date gives ``None``, never an exception.
    """
    if not value:
        return None
    value = value.strip()
    if _DELTA_SECONDS.fullmatch(value):
        return min(float(value.lstrip("0")[:6] or 0), RETRY_AFTER_MAX_S)  # 6 digits already exceed the cap
    import email.utils  # only for the rare HTTP-date form; keeps `pindai --version` light

    try:
        when = email.utils.parsedate_to_datetime(value)
        wall = time.time() if now is None else now
        return min(max(0.0, when.timestamp() - wall), RETRY_AFTER_MAX_S)
    except (TypeError, ValueError, IndexError, OverflowError, OSError):
        return None


class _HostLimiter:
    """One host's state: connections in flight, the allowed number, spacing and back-off."""

    def __init__(self, policy: PolitenessPolicy, sleep: Callable[[float], None]) -> None:
        self.ceiling = max(1, policy.per_host_concurrency)
        self.allowed = self.ceiling
        self.rate_interval = 1.0 / policy.requests_per_second if policy.requests_per_second > 0 else 0.0
        self.backoff = 0.0
        self.not_before = 0.0
        self.next_start = 0.0
        self.in_flight = 0
        self.troubles = 0
        self.troubles_ever = 0
        self.clean = 0
        self.changed = threading.Condition()
        self.sleep = sleep

    def enter(self, rated: bool) -> None:
        with self.changed:
            while self.in_flight >= self.allowed and self.troubles < GIVE_UP_AFTER:
                self.changed.wait()
            if self.troubles >= GIVE_UP_AFTER:
                raise HostBackedOff(f"the host answered {GIVE_UP_AFTER} times in a row with 429/503 or a "
                                    "timeout; Pindai stopped sending to it")
            self.in_flight += 1
            now = time.monotonic()
            spacing = max(self.rate_interval if rated else 0.0, self.backoff)
            start = max(now, self.next_start if spacing else now, self.not_before)
            self.next_start = max(self.next_start, start + spacing)
        if start > now:
            self.sleep(start - now)

    def leave(self) -> None:
        with self.changed:
            self.in_flight -= 1
            self.changed.notify_all()

    def trouble(self, retry_after: float | None = None) -> None:
        with self.changed:
            self.troubles += 1
            self.troubles_ever += 1
            self.clean = 0
            self.allowed = max(1, self.allowed // 2)
            self.backoff = min(BACKOFF_MAX_S, max(BACKOFF_FIRST_S, self.backoff * 2))
            if retry_after:
                self.not_before = max(self.not_before, time.monotonic() + retry_after)
            self.changed.notify_all()

    def fine(self) -> None:
        with self.changed:
            self.troubles = 0
            self.clean += 1
            if self.clean >= RECOVER_AFTER:
                self.clean = 0
                self.allowed = min(self.ceiling, self.allowed + 1)
                self.backoff = self.backoff / 2 if self.backoff > BACKOFF_FIRST_S else 0.0
                self.changed.notify_all()


class _InProcess:
    """The next start of a pace kept by this process alone (the interface of a ``multiprocessing.Value``)."""

    def __init__(self) -> None:
        self.value = 0.0
        self._lock = threading.Lock()

    def get_lock(self) -> threading.Lock:
        return self._lock


class GlobalPace:
    """Spaces connections to every service together by ``1 / rate`` seconds (``--global-rate``).

    Each start is reserved on ``time.monotonic``, one clock for every process of the machine. A pace made
    by :meth:`shared` keeps the next start in shared memory under a process-shared lock, so the shard
    processes handed it keep one rate between them (not one rate each).
    """

    def __init__(self, rate: float = 0.0, shared: Any = None) -> None:
        self.rate = rate
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self._next: Any = shared if shared is not None else _InProcess()  # ``value`` and ``get_lock()``

    def __reduce__(self) -> tuple[type[GlobalPace], tuple[float, Any]]:
        """Sent to a spawned process: a shared pace stays shared; one of this process starts afresh there."""
        return (GlobalPace, (self.rate, None if isinstance(self._next, _InProcess) else self._next))

    def shared(self, context: BaseContext) -> GlobalPace:
        """This pace, from where it stands now, in memory shared with the processes ``context`` starts."""
        if not isinstance(self._next, _InProcess):
            return self
        with self._next.get_lock():
            return GlobalPace(self.rate, context.Value("d", self._next.value))

    def reserve(self) -> float:
        """Reserve the next start: the ``time.monotonic`` moment it may begin."""
        with self._next.get_lock():
            start = max(time.monotonic(), self._next.value)
            self._next.value = start + self.interval
        return float(start)


class HostGate:
    """Hands out connection slots per service (``politeness_key``), honouring the politeness policy;
    ``pace`` spaces them all together (by default by ``policy.global_rate``, in this process)."""

    def __init__(self, policy: PolitenessPolicy | None = None, sleep: Callable[[float], None] = time.sleep,
                 pace: GlobalPace | None = None) -> None:
        self.policy = policy or PolitenessPolicy()
        self._sleep = sleep
        self._limiters: dict[str, _HostLimiter] = {}
        self._lock = threading.Lock()
        self.connections: dict[str, int] = {}
        self.pace = pace or GlobalPace(self.policy.global_rate)

    def __reduce__(self) -> tuple[type[HostGate], tuple[PolitenessPolicy, Callable[[float], None], GlobalPace]]:
        """A gate sent to another process (``scanner.running.shards``) starts there afresh with the same policy, and
        the same pace when that is shared."""
        return (HostGate, (self.policy, time.sleep, self.pace))

    def _limiter(self, host: str) -> _HostLimiter:
        with self._lock:
            limiter = self._limiters.get(host)
            if limiter is None:
                limiter = self._limiters[host] = _HostLimiter(self.policy, self._sleep)
            return limiter

    @contextmanager
    def slot(self, host: str, *, rated: bool = True) -> Iterator[None]:
        """Block until a connection to ``host`` is allowed, then hold the slot.

        Raises HostBackedOff when the host has been given up on. An OSError (timeout, reset)
        leaving the slot counts as trouble; a clean exit as a clean answer.
        """
        if deadline.expired():
            raise DeadlineReached("time limit reached: no further connection / batas waktu tercapai")
        if rated and self.pace.interval and (wait := self.pace.reserve() - time.monotonic()) > 0:
            self._sleep(wait)
        limiter = self._limiter(host.lower())
        limiter.enter(rated)
        troubles_before = limiter.troubles_ever
        with self._lock:
            self.connections[host] = self.connections.get(host, 0) + 1
        try:
            yield
        except OSError:
            limiter.trouble()
            raise
        else:
            if limiter.troubles_ever == troubles_before:  # no 429/503 reported meanwhile
                limiter.fine()
        finally:
            limiter.leave()

    def answered(self, host: str, status: int, retry_after: str | None = None) -> None:
        """Report an HTTP status: 429 and 503 slow the host down, honouring ``Retry-After``."""
        if status in TROUBLE_STATUSES:
            self._limiter(host.lower()).trouble(retry_after_seconds(retry_after))

    def allowed(self, host: str) -> int:
        """How many connections ``host`` may have at once right now (the cap, lowered by back-off)."""
        return self._limiter(host.lower()).allowed
