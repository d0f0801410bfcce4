"""Per-host politeness: concurrency is capped and starts are spaced by the rate limit."""

from __future__ import annotations

import http.server
import itertools
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fixtures.hostile.recording import RecordingSite
from scanner.model import Facts, Target, TargetKind
from scanner.probes.base import ProbeContext
from scanner.probes.http.probe import HttpProbe
from scanner.running.politeness import (
    GIVE_UP_AFTER,
    RECOVER_AFTER,
    RETRY_AFTER_MAX_S,
    GlobalPace,
    HostBackedOff,
    HostGate,
    PolitenessPolicy,
    retry_after_seconds,
)
from scanner.running.runner import observe
from scanner.running.scope import Scope


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


def _recorded_gate(concurrency: int = 4, rate: float = 0.0) -> tuple[HostGate, list[float]]:
    waits: list[float] = []
    return HostGate(PolitenessPolicy(per_host_concurrency=concurrency, requests_per_second=rate),
                    sleep=waits.append), waits


def test_429_with_retry_after_halves_concurrency_and_delays_the_next_request():
    gate, waits = _recorded_gate()
    with gate.slot("h"):
        gate.answered("h", 429, "7")
    assert gate.allowed("h") == 2
    with gate.slot("h"):
        pass
    assert waits and waits[-1] > 6  # the gate asked to wait out Retry-After (7 s, minus time spent)
    assert gate.allowed("other") == 4  # per host


def test_retry_after_as_http_date_and_hostile_values():
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:30 GMT", now=1445412500.0) == 10.0
    assert retry_after_seconds("99999999") == RETRY_AFTER_MAX_S
    assert retry_after_seconds("0" * 40 + "7") == 7.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds("²") is None  # a digit to str.isdigit, not to float()
    assert retry_after_seconds(None) is None


@pytest.mark.parametrize("value", ["\u00b2", "\u00b2\u00b3", "\u0663", "\uff15", "1" * 5000, "1e9", "-5", "+5", "1.5",
                                   "Mon, 01 Jan 0001 00:00:00 GMT", "Fri, 31 Dec 9999 23:59:59 GMT",
                                   "Fri, 31 Dec 99999999999 23:59:59 GMT", "Mon, 99 Foo 2020 99:99:99 +9999", "\x00"])
def test_retry_after_never_raises_on_hostile_values(value: str):
    seconds = retry_after_seconds(value, now=1445412500.0)
    assert seconds is None or 0.0 <= seconds <= RETRY_AFTER_MAX_S
    if not value.isascii():
        assert seconds is None  # a superscript two or an Arabic-Indic three is not a number of seconds


_HTTP_DATES = st.datetimes().map(lambda d: d.strftime("%a, %d %b %Y %H:%M:%S GMT"))


@given(st.text() | st.from_regex(r"\A[0-9]{1,40}\Z") | _HTTP_DATES)
def test_retry_after_is_none_or_within_the_cap(value: str):
    seconds = retry_after_seconds(value)
    assert seconds is None or 0.0 <= seconds <= RETRY_AFTER_MAX_S


def test_non_ascii_retry_after_on_a_crawled_page_keeps_the_http_probe():
    routes = {"/": (200, {"X-Powered-By": "PHP/5.4.0"}, b"<a href='/page2'>x</a>"),
              "/page2": (429, {"Retry-After": "\u00b2"}, b"no")}
    with RecordingSite("127.0.0.1", routes) as site:
        ctx = ProbeContext(gate=HostGate(PolitenessPolicy(requests_per_second=1000, timeout_s=3)),
                           scope=Scope(("127.0.0.1",)))
        facts = observe(HttpProbe(), Target(TargetKind.URL, site.url), ctx)
    assert facts.conclusive, facts.reason


def test_timeouts_back_off_and_clean_answers_recover():
    gate, _ = _recorded_gate(concurrency=4)
    for _ in range(2):
        with pytest.raises(TimeoutError), gate.slot("h"):
            raise TimeoutError("read timed out")
    assert gate.allowed("h") == 1
    for _ in range(3 * RECOVER_AFTER):
        with gate.slot("h"):
            pass
    assert gate.allowed("h") == 4  # one connection back per RECOVER_AFTER clean answers, up to the cap


def test_a_host_that_keeps_refusing_is_given_up():
    gate, _ = _recorded_gate()
    for _ in range(GIVE_UP_AFTER):
        with gate.slot("h"):
            gate.answered("h", 503)
    with pytest.raises(HostBackedOff), gate.slot("h"):
        pass
    with gate.slot("other"):
        pass


def test_tls_handshakes_are_bounded_by_concurrency_not_by_the_rate():
    gate, waits = _recorded_gate(rate=1.0)
    for _ in range(5):
        with gate.slot("h", rated=False):
            pass
    assert waits == []
    for _ in range(3):
        with gate.slot("h"):
            pass
    assert len(waits) >= 2  # rated requests are spaced one second apart


class _CountingHandler(http.server.BaseHTTPRequestHandler):
    status = 404
    hits = 0

    def do_GET(self) -> None:
        type(self).hits += 1
        self.send_response(self.status)
        self.send_header("Retry-After", "0")
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_HEAD = do_GET

    def log_message(self, *args: object) -> None:
        pass


def _http_probe_hits(status: int) -> tuple[int, Facts]:
    handler = type("Handler", (_CountingHandler,), {"status": status, "hits": 0})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        target = Target(TargetKind.URL, f"http://127.0.0.1:{server.server_address[1]}/")
        ctx = ProbeContext(gate=HostGate(PolitenessPolicy(timeout_s=5)), scope=Scope(("127.0.0.1",)))
        facts = observe(HttpProbe(), target, ctx)
    finally:
        server.shutdown()
        server.server_close()
    return handler.hits, facts


def test_http_probe_stops_sending_to_a_host_that_answers_429():
    """Counted requests, not seconds: a rate-limiting host gets a handful, a normal one the full probe."""
    limited, facts = _http_probe_hits(429)
    normal, _ = _http_probe_hits(404)
    assert limited <= GIVE_UP_AFTER + 1
    assert normal > 4 * limited
    assert facts.status == "inconclusive" or facts.data  # an observation, never a crash


def test_a_service_that_keeps_failing_does_not_stop_the_hosts_other_services() -> None:
    from scanner.running.politeness import GIVE_UP_AFTER, HostBackedOff, politeness_key

    gate = HostGate(PolitenessPolicy(per_host_concurrency=2), sleep=lambda s: None)
    hanging, healthy = politeness_key("127.0.0.1", 8443), politeness_key("127.0.0.1", 443)
    for _ in range(GIVE_UP_AFTER):
        with pytest.raises(TimeoutError), gate.slot(hanging):
            raise TimeoutError
    with pytest.raises(HostBackedOff), gate.slot(hanging):
        pass
    with gate.slot(healthy):  # same machine, another service: still served at full concurrency
        pass
    assert gate.allowed(healthy) == 2


class _RateLimitedApi(http.server.BaseHTTPRequestHandler):
    """The audit's NEW-12 site: a home page linking 40 API paths, each answered 429 Retry-After: 30."""

    hits = 0

    def do_GET(self) -> None:
        type(self).hits += 1
        if self.path == "/":
            body = "".join(f"<a href='/api/v1/i{i}'>x</a>" for i in range(40)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
        else:
            body = b"slow down"
            self.send_response(429)
            self.send_header("Retry-After", "30")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_auth_probe_backs_off_on_429_and_honours_retry_after() -> None:
    """#24 item 11 (NEW-12): the auth probe sent 54 requests in 0.1 s after `429 Retry-After: 30`."""
    from scanner.probes.auth.probe import AuthProbe

    handler = type("Handler", (_RateLimitedApi,), {"hits": 0})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    waits: list[float] = []
    gate = HostGate(PolitenessPolicy(timeout_s=5), sleep=waits.append)  # waits recorded, not slept
    try:
        target = Target(TargetKind.URL, f"http://127.0.0.1:{server.server_address[1]}/")
        facts = observe(AuthProbe(), target, ProbeContext(gate=gate, scope=Scope(("127.0.0.1",))))
    finally:
        server.shutdown()
        server.server_close()
    assert handler.hits <= GIVE_UP_AFTER + 2  # the home page, then at most the give-up count of 429s
    assert any(w > 29 for w in waits)  # the next request waited out Retry-After
    assert facts.status == "inconclusive" or facts.data  # an observation, never a crash


@pytest.mark.parametrize(("values", "expected"), [
    ({"per_host_concurrency": 400, "requests_per_second": 1e9, "timeout_s": 1e9}, (64, 1000.0, 300.0)),
    ({"per_host_concurrency": 0, "requests_per_second": -5, "timeout_s": 0}, (1, 0.0, 0.1)),
    ({"per_host_concurrency": "x", "requests_per_second": float("nan"), "timeout_s": None}, (5, 0.0, 10.0)),
    ({}, (5, 0.0, 10.0)),
])
def test_policy_from_a_task_is_clamped(values: dict, expected: tuple) -> None:
    """Security review 2026-12-06 (NEW-16): the worker built its policy from the task unclamped."""
    policy = PolitenessPolicy.from_untrusted(values)
    assert (policy.per_host_concurrency, policy.requests_per_second, policy.timeout_s) == expected


def test_worker_clamps_the_policy_of_a_task(tmp_path) -> None:
    import sqlite3

    from scanner.running import distributed

    db = tmp_path / "a.db"
    sqlite3.connect(db).close()
    target = {"kind": "database", "location": f"sqlite:///{db}"}
    distributed.observe_remote(target, "database", {"per_host_concurrency": 400, "timeout_s": 1e9}, ["*"])
    assert max(p.per_host_concurrency for p in distributed._gates) <= 64
    assert max(p.timeout_s for p in distributed._gates) <= 300


def _reserve_starts(pace: Any, count: int, out: Any) -> None:
    """Child process: reserve ``count`` starts on ``pace`` and report when each may begin."""
    for _ in range(count):
        out.put(pace.reserve())


def test_a_shared_global_pace_spaces_the_starts_of_every_process() -> None:
    """Two spawned processes reserving on one shared pace get starts at least 1/rate apart, all together (the
    reserved times, not measured ones: nothing here depends on the machine's speed)."""
    import multiprocessing

    spawn = multiprocessing.get_context("spawn")
    pace = GlobalPace(50).shared(spawn)
    out = spawn.Queue()
    children = [spawn.Process(target=_reserve_starts, args=(pace, 10, out)) for _ in range(2)]
    for child in children:
        child.start()
    starts = sorted(out.get(timeout=60) for _ in range(20))
    for child in children:
        child.join(10)
    assert min(b - a for a, b in itertools.pairwise(starts)) >= 1 / 50 - 1e-9


def test_a_gate_sent_to_another_process_keeps_only_a_shared_pace() -> None:
    import multiprocessing
    import pickle

    gate = HostGate(PolitenessPolicy(global_rate=5))
    gate.pace.reserve()
    fresh = pickle.loads(pickle.dumps(gate))  # a pace of this process starts afresh elsewhere
    assert fresh.policy == gate.policy and fresh.pace.rate == 5 and fresh.pace.reserve() <= time.monotonic()
    shared = gate.pace.shared(multiprocessing.get_context("spawn"))
    assert shared.reserve() - time.monotonic() >= 0.1  # it goes on from where this process's pace stood
    assert shared.shared(multiprocessing.get_context("spawn")) is shared
