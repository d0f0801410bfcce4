"""Observing in worker processes sharded by host gives the serial run's findings."""

from __future__ import annotations

import logging
from contextlib import suppress
from pathlib import Path

from fixtures.web import start_site
from scanner.judging.engine import judge
from scanner.judging.rules import load_rules
from scanner.model import Facts, Target, TargetKind
from scanner.probes import load_probes
from scanner.probes.base import ProbeContext
from scanner.running.politeness import HostGate, PolitenessPolicy
from scanner.running.runner import run_probes
from scanner.running.scope import Scope
from scanner.running.shards import shards

DUMP = Path(__file__).parent.parent.parent / "fixtures" / "db" / "sample_dump.sql"


def _url(host: str, port: int) -> Target:
    return Target(TargetKind.URL, f"https://{host}:{port}/")


def test_each_host_stays_in_one_shard():
    targets = [_url(host, port) for host in ("a.test", "b.test", "c.test") for port in (1, 2, 3)]
    policy = PolitenessPolicy(per_host_concurrency=5)
    split = shards(targets, 2, policy)
    assert sorted(len(s) for s, _ in split) == [3, 6]
    for shard, shard_policy in split:
        assert shard_policy == policy
        hosts = {t.host for t in shard}
        assert all(t.host in hosts for t in shard)
    assert sorted(t.id for s, _ in split for t in s) == sorted(t.id for t in targets)


def test_one_host_split_over_processes_shares_its_connection_budget():
    targets = [_url("127.0.0.1", port) for port in range(10)]
    split = shards(targets, 2, PolitenessPolicy(per_host_concurrency=64, requests_per_second=10))
    assert [len(s) for s, _ in split] == [5, 5]
    assert {(p.per_host_concurrency, p.requests_per_second) for _, p in split} == {(32, 5.0)}
    one = shards(targets, 4, PolitenessPolicy(per_host_concurrency=1))
    assert len(one) == 1  # a budget of one connection cannot be divided


def test_serial_and_parallel_observation_give_identical_findings(caplog):
    portals = [start_site(variant, https=True) for variant in ("vulnerable", "clean", "custom404")]
    try:
        targets = [Target(TargetKind.URL, p.base_url, options=p.target_options) for p in portals]
        targets.append(Target(TargetKind.SQLFILE, str(DUMP)))
        probes = load_probes(["http", "sqlfile"])
        ruleset = load_rules()
        runs = []
        for processes in (1, 2):
            ctx = ProbeContext(gate=HostGate(PolitenessPolicy(per_host_concurrency=4, timeout_s=5)),
                               scope=Scope(("127.0.0.1",)))
            seen: list[Facts] = []
            facts = run_probes(targets, probes, ctx, processes=processes, on_facts=seen.append)
            assert all(f.conclusive for f in facts), [f.reason for f in facts]
            assert len(seen) == len(facts) == 4
            runs.append(sorted(f.fingerprint for f in judge(facts, targets, ruleset).findings))
    finally:
        for portal in portals:
            portal.stop()
    serial, parallel = runs
    assert "observing in worker processes failed" not in caplog.text  # really observed in 2 processes
    assert len(serial) > 10
    assert parallel == serial


def test_child_processes_keep_the_request_log(caplog):
    """``-vv`` (DEBUG) keeps each request line when observing in worker processes (issue 24)."""
    portals = [start_site(variant) for variant in ("clean", "custom404")]
    try:
        targets = [Target(TargetKind.URL, p.base_url, options=p.target_options) for p in portals]
        ctx = ProbeContext(gate=HostGate(PolitenessPolicy(per_host_concurrency=4, timeout_s=5)),
                           scope=Scope(("127.0.0.1",)))
        with caplog.at_level(logging.DEBUG):
            facts = run_probes(targets, load_probes(["http"]), ctx, processes=2)
    finally:
        for portal in portals:
            portal.stop()
    assert all(f.conclusive for f in facts), [f.reason for f in facts]
    requests = [r for r in caplog.records if r.name == "scanner.net.session" and r.getMessage().startswith("GET ")]
    assert {r.processName for r in requests} == {"pindai-shard-0", "pindai-shard-1"}
    for portal in portals:
        assert any(portal.base_url.rstrip("/") in r.getMessage() for r in requests)


def _descendants(pid: int) -> set[int]:
    """Every live process whose parent chain leads to ``pid`` (read from /proc)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z":
            parents[int(stat.parent.name)] = int(fields[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_no_child_outlives_a_sigkilled_parent(tmp_path):
    """SIGKILL to `pindai scan` while its shard processes wait on slow servers: within a few seconds no
    process it started (shards, multiprocessing's resource tracker) is alive."""
    import os
    import signal
    import subprocess
    import time

    from fixtures.hostile import SlowServer

    pindai = Path(__file__).parent.parent.parent / ".venv" / "bin" / "pindai"
    slow = [SlowServer(delay=120, lifetime=200).start() for _ in range(2)]
    proc = subprocess.Popen([str(pindai), "scan", *(s.url for s in slow), "--probe", "http", "--processes", "2",
                             "--timeout", "300", "--no-store"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while len(children := _descendants(proc.pid)) < 3:  # two shards and the resource tracker
            assert time.monotonic() < deadline and proc.poll() is None, "the shard processes did not start"
            time.sleep(0.2)
        time.sleep(1.0)  # the shards are probing
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        deadline = time.monotonic() + 15
        while (survivors := {pid for pid in children if _alive(pid)}) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not survivors, f"still alive after the parent was killed: {survivors}"
    finally:
        for pid in _descendants(proc.pid) | children:
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        for server in slow:
            server.stop()


def _most_in_any_window(times: list[float], window: float) -> int:
    """The largest number of ``times`` inside any ``window`` seconds."""
    import bisect

    ordered = sorted(times)
    return max((bisect.bisect_right(ordered, start + window) - i for i, start in enumerate(ordered)), default=0)


def test_global_rate_holds_across_shard_processes(caplog):
    """`--global-rate 20 --processes 2` over four local sites: the two shard processes reserve their
    requests on one shared clock, so the sites together receive at most 20 requests a second (each process
    on its own clock would send 20: 40 in all, 83 in two seconds). Counted where the requests arrive, over
    windows, with room for scheduling jitter; a slow machine only sends fewer. ``--max-time`` ends the scan
    (partial: exit 3) after a few seconds of traffic."""
    from click.testing import CliRunner

    from fixtures.hostile.recording import RecordingSite
    from scanner.cli import main

    rate, window, slack = 20, 2.0, 1.25
    page = (200, {}, b"<html><head><title>x</title></head><body><a href='/a'>a</a><a href='/b'>b</a></body></html>")
    sites = [RecordingSite("127.0.0.1", {"/": page}).start() for _ in range(4)]
    try:
        done = CliRunner().invoke(main, ["scan", *(s.url for s in sites), "--probe", "http", "--processes", "2",
                                         "--global-rate", str(rate), "--max-time", "8", "--no-store",
                                         "--format", "json"])
    finally:
        for site in sites:
            site.stop()
    assert done.exit_code in (0, 1, 3), done.output
    assert "observing in worker processes failed" not in caplog.text  # really observed in two processes
    arrivals = sorted(r.at for s in sites for r in s.requests)
    assert len(arrivals) >= rate and all(s.requests for s in sites)
    assert _most_in_any_window(arrivals, window) <= rate * window * slack, _most_in_any_window(arrivals, window)
    assert (len(arrivals) - 1) / (arrivals[-1] - arrivals[0]) <= rate * slack
