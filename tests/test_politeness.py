"""Per-host politeness: concurrency is capped and starts are spaced by the rate limit."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from scanner.politeness import HostGate, PolitenessPolicy


def test_concurrency_cap_is_per_host():
    gate = HostGate(PolitenessPolicy(per_host_concurrency=2, requests_per_second=1000))
    active: dict[str, int] = {"a": 0, "b": 0}
    peak: dict[str, int] = {"a": 0, "b": 0}
    lock = threading.Lock()

    def work(host: str) -> None:
        with gate.slot(host):
            with lock:
                active[host] += 1
                peak[host] = max(peak[host], active[host])
            time.sleep(0.02)
            with lock:
                active[host] -= 1

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(work, ["a", "b"] * 10))
    assert peak == {"a": 2, "b": 2}
    assert gate.connections == {"a": 10, "b": 10}


def test_rate_limit_spaces_connection_starts():
    """Six starts at 20 per second cannot all happen sooner than 5 intervals after the first request.

    Measured as elapsed time, not as gaps between neighbours: a thread that oversleeps makes
    its own gap longer and the next one shorter, without breaking the limit.
    """
    gate = HostGate(PolitenessPolicy(per_host_concurrency=5, requests_per_second=20))
    starts: list[float] = []

    def work(_: int) -> None:
        with gate.slot("h"):
            starts.append(time.monotonic())

    began = time.monotonic()
    with ThreadPoolExecutor(5) as pool:
        list(pool.map(work, range(6)))
    assert len(starts) == 6
    assert max(starts) - began >= 5 * 0.05 - 0.005  # scheduling jitter of the first call only
