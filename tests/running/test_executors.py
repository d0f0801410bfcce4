"""One job list for every way of observing (scanner.running.executors): threads, shard processes and Celery
workers each get exactly the planned (target, probe) jobs, a resumed scan's pairs left out, and give one
observation per job."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from scanner.model import Facts, Target, TargetKind
from scanner.probes import load_probes
from scanner.probes.base import ProbeContext
from scanner.running.executors import Executor, Job, observe_all, plan
from scanner.running.runner import ShardExecutor, ThreadExecutor, run_probes

ROOT = Path(__file__).resolve().parent.parent.parent
DUMP = Target(TargetKind.SQLFILE, str(ROOT / "fixtures" / "db" / "sample_dump.sql"))
CLEAN = Target(TargetKind.SOURCE, str(ROOT / "fixtures" / "source" / "clean"))
VULNERABLE = Target(TargetKind.SOURCE, str(ROOT / "fixtures" / "source" / "vulnerable"))
PORTAL = Target(TargetKind.URL, "https://portal.contoh.go.id/")  # neither sqlfile nor code applies
TARGETS = [DUMP, CLEAN, PORTAL, VULNERABLE]
SKIP = {(CLEAN.id, "code")}  # a resumed scan has observed it already
PLANNED = [(DUMP.id, "sqlfile"), (VULNERABLE.id, "code")]


class _UrlProbe:
    def __init__(self, name: str) -> None:
        self.name = name

    def applies_to(self, target: Target) -> bool:
        return target.kind is TargetKind.URL

    def run(self, target: Target, ctx: ProbeContext) -> dict[str, Any]:
        return {"seen": target.id}


def test_plan_lists_each_applicable_pair_once_in_target_order_minus_skip() -> None:
    one, two = (Target(TargetKind.URL, f"https://{n}.contoh.go.id/") for n in ("satu", "dua"))
    probes = [_UrlProbe("tls"), _UrlProbe("http")]
    work = plan([one, CLEAN, two, one, PORTAL], probes, {(one.id, "tls")})  # `one` listed twice
    assert [job.key for job in work.jobs] == [(one.id, "http"), (two.id, "tls"), (two.id, "http"),
                                             (PORTAL.id, "tls"), (PORTAL.id, "http")]
    assert [(f.target_id, f.probe, f.status, f.reason) for f in work.unobservable] == [
        (CLEAN.id, "none", "inconclusive", "no probe applies to this target")]
    assert plan([CLEAN], probes, {(CLEAN.id, "none")}).unobservable == []  # resumed: already recorded


def test_a_target_listed_twice_is_observed_once() -> None:
    """The thread pool used to wait for the second copy's observation forever."""
    one = Target(TargetKind.URL, "https://satu.contoh.go.id/")
    box: dict[str, list[Facts]] = {}
    thread = threading.Thread(target=lambda: box.setdefault("facts", run_probes([one, one], [_UrlProbe("tls")],
                                                                                ProbeContext())), daemon=True)
    thread.start()
    thread.join(30)
    assert not thread.is_alive(), "the scan of a duplicated target hangs"
    assert [(f.target_id, f.status) for f in box["facts"]] == [(one.id, "ok")]


@dataclass
class _Spy:
    """Records the job list an executor is given."""

    inner: Executor
    given: list[list[tuple[str, str]]] = field(default_factory=list)

    def observe(self, jobs: Sequence[Job], ctx: ProbeContext, on_facts: Any) -> list[Facts]:
        self.given.append([job.key for job in jobs])
        return self.inner.observe(jobs, ctx, on_facts)


def _observed_by(executor: Executor) -> tuple[_Spy, list[Facts], list[Facts]]:
    spy = _Spy(executor)
    seen: list[Facts] = []
    facts = observe_all(spy, TARGETS, load_probes(["sqlfile", "code"]), ProbeContext(), on_facts=seen.append,
                        skip=SKIP)
    return spy, facts, seen


def _check(spy: _Spy, facts: list[Facts], seen: list[Facts]) -> None:
    assert [job.key for job in plan(TARGETS, load_probes(["sqlfile", "code"]), SKIP).jobs] == PLANNED
    assert spy.given == [PLANNED]
    assert [(f.target_id, f.probe) for f in facts] == [(DUMP.id, "sqlfile"), (PORTAL.id, "none"),
                                                       (VULNERABLE.id, "code")]  # target order
    assert sorted((f.target_id, f.probe) for f in seen) == sorted((f.target_id, f.probe) for f in facts)
    assert all(f.conclusive for f in facts if f.probe != "none"), [f.reason for f in facts]


def test_threads_observe_the_planned_jobs() -> None:
    _check(*_observed_by(ThreadExecutor(workers=2)))


def test_shard_processes_observe_the_planned_jobs(caplog: pytest.LogCaptureFixture) -> None:
    spy, facts, seen = _observed_by(ShardExecutor(processes=2, workers=2))
    assert "observing in worker processes failed" not in caplog.text  # really two processes
    _check(spy, facts, seen)
    _, local, _ = _observed_by(ThreadExecutor())
    assert [f.data for f in facts] == [f.data for f in local]


def test_one_shard_process_observes_here() -> None:
    """Below the threshold (or --processes 1) no process is started: the threads of this process observe."""
    names: list[str] = []

    class Named(_UrlProbe):
        def run(self, target: Target, ctx: ProbeContext) -> dict[str, Any]:
            names.append(threading.current_thread().name)
            return {}

    facts = observe_all(ShardExecutor(), [PORTAL], [Named("tls")], ProbeContext())
    assert [f.status for f in facts] == ["ok"] and names[0].startswith("pindai-probe-")


@pytest.fixture(scope="module")
def default_zone(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from tests.services.processes import redis_available, redis_server, workers

    if not redis_available():
        pytest.skip("redis-server is not installed")
    with redis_server() as url, workers(url, ["default"], tmp_path_factory.mktemp("workers"), visibility_timeout=120):
        yield url


def test_celery_workers_observe_the_planned_jobs(default_zone: str) -> None:
    from scanner.running.distributed import CeleryExecutor, make_app

    _check(*_observed_by(CeleryExecutor(app=make_app(default_zone), timeout=60)))
