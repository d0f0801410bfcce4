"""Run probes over targets concurrently; every failure becomes an inconclusive observation.

``observe`` makes one observation; ``ThreadExecutor`` and ``ShardExecutor`` (``scanner.executors``)
observe a job list in threads of this process or of processes sharded by host.
"""

from __future__ import annotations

import functools
import itertools
import logging
import queue
import threading
import time
from collections.abc import Generator, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel

from scanner import deadline
from scanner.executors import Job, ProgressCallback, observe_all
from scanner.model import Facts, Target, encodable, encodable_data
from scanner.net.redact import redact_facts, redact_secrets
from scanner.net.resolve import private_refusal
from scanner.politeness import HostBackedOff
from scanner.probes.base import Probe, ProbeContext, ProbeInconclusive, record_limit
from scanner.probes.facts import FACTS_NOTE, check_facts
from scanner.shards import process_count, run_sharded

log = logging.getLogger(__name__)
GRACE_S = 10.0  # after the scan's deadline, running probes get this long to hand in partial facts
POLL_S = 1.0  # how often the pool looks for probes past their time limit
RECHECK_S = 0.05  # pause before a job put back while its service is being checked is taken again


def observe(probe: Probe, target: Target, ctx: ProbeContext) -> Facts:
    """Run one probe on one target. Never raises: problems become ``inconclusive`` facts."""
    started = datetime.now(UTC).isoformat(timespec="seconds")
    clock = time.monotonic()
    facts = Facts(probe=probe.name, target_id=target.id, started_at=started)
    if target.host and not ctx.scope.allows(target.host):
        facts.status, facts.reason = "inconclusive", f"host {target.host} is outside the scan scope"
        return facts
    if target.host and (refusal := private_refusal(target.host, ctx.scope)) is not None:  # the resolved address
        facts.status, facts.reason = "inconclusive", refusal
        return facts
    silent = "" if ctx.proxy else ctx.reachability.silent(target, ctx.timeout)
    if silent:  # a dead or filtered service costs one timeout for the whole target, not one per connection
        facts.status, facts.reason = "inconclusive", encodable(silent)
        facts.duration_s = round(time.monotonic() - clock, 3)
        return facts
    with deadline.within(ctx.probe_time_s):
        try:
            # the one place facts are made: lone surrogates replaced, tokens a site put in URLs hidden
            facts.data = redact_facts(encodable_data(probe.run(target, ctx)))
            fit_model(facts, probe)
        except (ProbeInconclusive, HostBackedOff) as exc:  # the gate gave up on a service: not a probe bug
            facts.status, facts.reason = "inconclusive", str(exc)
        except Exception as exc:  # a probe bug must not lose other targets' results
            log.exception("probe %s failed on %s", probe.name, target.id)
            facts.status, facts.reason = "inconclusive", f"internal probe error: {type(exc).__name__}: {exc}"
        if deadline.expired():
            _time_limited(facts, ctx, time.monotonic() - clock)
    facts.reason = redact_secrets(encodable(facts.reason))
    facts.duration_s = round(time.monotonic() - clock, 3)
    log.info("%s on %s: %s%s (%.1f s)", probe.name, target.id, facts.status,
             f": {facts.reason}" if facts.reason else "", facts.duration_s)
    return facts


@functools.cache
def _facts_model(probe: str) -> tuple[str, type[BaseModel] | None]:
    """(``module:Class`` of the registered probe named ``probe``, its facts model); ("", None) for no such probe."""
    from scanner.probes import specs

    spec = specs().get(probe)
    return (spec.implementation, spec.facts_model()) if spec is not None else ("", None)


def fit_model(facts: Facts, probe: Probe | None = None) -> None:
    """Check conclusive facts against their probe's facts model (``ProbeSpec.facts``; about 5 ms per
    observation of the demo, whose scan takes 25 s). Facts that do not fit are kept and judged as they
    are, logged, and said aloud as a coverage note (``facts_model``): the observation is partial, never
    a crash. ``probe`` (when given) must be the registered implementation: another object bearing its
    name is not checked."""
    try:
        implementation, model = _facts_model(facts.probe)
        if probe is not None and f"{type(probe).__module__}:{type(probe).__qualname__}" != implementation:
            return
        problems = check_facts(model, facts.data) if model is not None and facts.data else []
    except Exception as exc:  # checking must never cost an observation
        log.warning("facts of probe %s on %s could not be checked: %s", facts.probe, facts.target_id, exc)
        return
    if problems:
        log.warning("facts of probe %s on %s do not fit its facts model (%d problem(s)): %s", facts.probe,
                    facts.target_id, len(problems), "; ".join(problems[:5]))
        record_limit(facts.data, FACTS_NOTE, len(problems))


def _time_limited(facts: Facts, ctx: ProbeContext, elapsed: float) -> None:
    """Mark an observation that ran into a wall-clock limit as partial (or say so in its reason)."""
    if ctx.deadline_at is not None and time.monotonic() >= ctx.deadline_at:
        code, limit = "scan_seconds", ctx.max_time_s or 0
    elif ctx.probe_time_s is not None and elapsed >= ctx.probe_time_s:
        code, limit = "probe_seconds", ctx.probe_time_s
    else:
        code, limit = "target_seconds", ctx.target_time_s or 0
    if facts.status == "ok":
        record_limit(facts.data, code, round(limit))
    else:
        facts.reason += f" (time limit {code} = {limit:g} s reached / batas waktu tercapai)"


def _unfinished(target: Target, probe: Probe, why: str) -> Facts:
    return Facts(probe=probe.name, target_id=target.id, status="inconclusive", reason=why)


def _observe_all(jobs: list[Job], ctx: ProbeContext, workers: int) -> Generator[Facts, None, None]:
    """Yield facts as jobs finish, from a pool of daemon threads.

    Daemon threads (unlike ThreadPoolExecutor's) never keep the process alive: after an
    interruption, a probe still waiting on a slow server is abandoned instead of joined. So is a
    probe that ignores its time limit (stuck in CPU or a driver call) ``GRACE_S`` after the limit,
    with a fresh thread in its place, and every probe still running when the scan's time is up.
    """
    pending: queue.Queue[Job] = queue.Queue()
    for job in jobs:
        pending.put(job)
    by_key = {job.key: job for job in jobs}
    finished: queue.Queue[Facts] = queue.Queue()
    stop = threading.Event()
    lock = threading.Lock()
    first_start: dict[str, float] = {}
    give_up_at: dict[tuple[str, str], float] = {}  # running jobs: when they are abandoned

    def work() -> None:
        while not stop.is_set():
            try:
                target, probe = pending.get_nowait()
            except queue.Empty:
                return
            if ctx.reachability.checking(target):  # another worker is checking that service: do other work first
                pending.put(Job(target, probe))
                stop.wait(RECHECK_S)
                continue
            key = (target.id, probe.name)
            with lock:
                now = time.monotonic()
                first = first_start.setdefault(target.id, now)
                if ctx.probe_time_s is not None:
                    give_up_at[key] = now + ctx.probe_time_s + GRACE_S
            target_end = None if ctx.target_time_s is None else first + ctx.target_time_s
            with deadline.until(ctx.deadline_at), deadline.until(target_end):
                facts = observe(probe, target, ctx)
            with lock:
                give_up_at.pop(key, None)
            finished.put(facts)

    def start_thread() -> None:
        threading.Thread(target=work, name=f"pindai-probe-{next(numbers)}", daemon=True).start()

    numbers = itertools.count()
    for _ in range(min(max(1, workers), len(jobs))):
        start_thread()
    done: set[tuple[str, str]] = set()
    scan_end = None if ctx.deadline_at is None else ctx.deadline_at + GRACE_S
    try:
        while len(done) < len(jobs):
            now = time.monotonic()
            with lock:
                overdue = [key for key, end in give_up_at.items() if end <= now]
                for key in overdue:
                    del give_up_at[key]
                soonest = min(give_up_at.values(), default=None)
            for key in overdue:
                done.add(key)
                start_thread()  # the stuck thread keeps its slot; the other jobs get a new one
                yield _unfinished(*by_key[key], f"probe time limit ({ctx.probe_time_s or 0:g} s) reached and the "
                                  "probe did not stop: abandoned / batas waktu probe tercapai, probe dihentikan")
            if scan_end is not None and now >= scan_end:
                log.warning("scan time limit reached; %d observation(s) unfinished", len(jobs) - len(done))
                for key in [k for k in by_key if k not in done]:
                    yield _unfinished(*by_key[key], f"scan time limit (--max-time {ctx.max_time_s or 0:g} s) reached "
                                      "before this observation finished / batas waktu pemindaian tercapai sebelum "
                                      "pengamatan ini selesai")
                return
            poll = now + POLL_S if ctx.probe_time_s is not None else None  # jobs that start meanwhile
            ends = [end for end in (soonest, scan_end, poll) if end is not None]
            try:
                facts = finished.get(timeout=max(0.0, min(ends) - now) if ends else None)
            except queue.Empty:
                continue
            if (facts.target_id, facts.probe) not in done:  # not an abandoned probe that came back late
                done.add((facts.target_id, facts.probe))
                yield facts
    finally:
        stop.set()


@dataclass(frozen=True)
class ThreadExecutor:
    """Observe in this process, ``workers`` probes at a time (daemon threads: ``_observe_all``)."""

    workers: int = 8

    def observe(self, jobs: Sequence[Job], ctx: ProbeContext, on_facts: ProgressCallback) -> list[Facts]:
        observed: list[Facts] = []
        with closing(_observe_all(list(jobs), ctx, self.workers)) as observations:  # closing stops the pool at once
            for facts in observations:
                observed.append(facts)
                on_facts(facts)
        return observed


@dataclass(frozen=True)
class ShardExecutor:
    """Observe in ``processes`` spawned processes sharded by host (``scanner.shards``), ``workers`` threads
    spread over them; None: every core (up to 8) for 20 targets or more. One process is this one, and so is
    a machine where no process can start."""

    processes: int | None = None
    workers: int = 8

    def observe(self, jobs: Sequence[Job], ctx: ProbeContext, on_facts: ProgressCallback) -> list[Facts]:
        count = process_count(len({job.target.id for job in jobs}), self.processes)
        here = ThreadExecutor(self.workers)
        if count <= 1:
            return here.observe(jobs, ctx, on_facts)
        try:
            observed = run_sharded(jobs, ctx, count, self.workers, on_facts, shard_main=shard_main)
        except OSError as exc:
            log.warning("observing in worker processes failed (%s); observing in this process", exc)
            return here.observe(jobs, ctx, on_facts)
        seen = {(f.target_id, f.probe) for f in observed}
        for job in jobs:
            if job.key not in seen:  # its process died (killed, out of memory) before reporting it
                lost = _unfinished(*job, "the probing process ended before observing this target")
                observed.append(lost)
                on_facts(lost)
        return observed


def shard_main(jobs: list[tuple[Target, str]], ctx: ProbeContext, workers: int, out: Any) -> None:
    """Child process: the thread executor over one shard's (target, probe name) jobs, every observation
    sent to ``out``, then None."""
    from scanner.probes import load_probes

    probes = {p.name: p for p in load_probes(sorted({name for _, name in jobs}))}
    try:
        ThreadExecutor(workers).observe([Job(target, probes[name]) for target, name in jobs], ctx, out.put)
    finally:
        out.put(None)


def run_probes(
    targets: list[Target],
    probes: list[Probe],
    ctx: ProbeContext,
    *,
    workers: int = 8,
    on_facts: ProgressCallback | None = None,
    skip: set[tuple[str, str]] | None = None,
    processes: int = 1,
) -> list[Facts]:
    """Observe every target with every applicable probe, except (target id, probe) pairs in ``skip``, in
    ``processes`` processes sharded by host (``ShardExecutor``) or in this one (``ThreadExecutor``)."""
    executor = ShardExecutor(processes, workers) if processes > 1 else ThreadExecutor(workers)
    return observe_all(executor, targets, probes, ctx, on_facts=on_facts, skip=skip or ())
