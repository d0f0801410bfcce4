"""Per-host politeness: concurrency is capped and starts are spaced by the rate limit."""

from __future__ import annotations

import itertools
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
    gate = HostGate(PolitenessPolicy(per_host_concurrency=5, requests_per_second=20))
    starts: list[float] = []

    def work(_: int) -> None:
        with gate.slot("h"):
            starts.append(time.monotonic())

    with ThreadPoolExecutor(5) as pool:
        list(pool.map(work, range(6)))
    starts.sort()
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert min(gaps) >= 0.045  # 1/20 s between starts, minus scheduling jitter
