"""Wall-clock limits: one deadline per thread of work, the earliest of the scan's and the probe's.

The runner opens :func:`within` around each probe run (``ProbeContext.probe_time_s``) and each
worker thread around the whole scan (``--max-time``). Everything that waits on a target asks
:func:`remaining`: the HTTP session cuts a request (headers included) at the earlier of its own
limit and the deadline, and the politeness gate hands out no slot once it has passed
(``politeness.DeadlineReached``). An observation that ran into a deadline is partial, never a hang.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Iterator
from contextlib import contextmanager

_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar("pindai_deadline", default=None)


def remaining() -> float | None:
    """Seconds left before the current deadline (never negative); None when there is none."""
    deadline = _DEADLINE.get()
    return None if deadline is None else max(0.0, deadline - time.monotonic())


def expired() -> bool:
    left = remaining()
    return left is not None and left <= 0


@contextmanager
def within(seconds: float | None) -> Iterator[None]:
    """Run the block under a deadline ``seconds`` from now (kept if an outer one comes sooner)."""
    if seconds is None:
        yield
        return
    outer = _DEADLINE.get()
    mine = time.monotonic() + max(0.0, seconds)
    token = _DEADLINE.set(mine if outer is None else min(outer, mine))
    try:
        yield
    finally:
        _DEADLINE.reset(token)


@contextmanager
def until(monotonic_deadline: float | None) -> Iterator[None]:
    """Like :func:`within`, for an absolute ``time.monotonic()`` deadline (shared by a scan's threads)."""
    with within(None if monotonic_deadline is None else monotonic_deadline - time.monotonic()):
        yield
