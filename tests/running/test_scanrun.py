"""One stored-scan pipeline for `pindai scan` and `pindai daemon` (scanner.running.scanrun): begun, each observation
stored before it counts, judged, ended; an interruption records the scan interrupted with what was observed."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from scanner.history.store import COMPLETE, INTERRUPTED, Store
from scanner.judging.rules import RuleSet, load_rules
from scanner.model import Facts, Target, TargetKind
from scanner.probes.base import ProbeContext
from scanner.running.executors import Job, ProgressCallback
from scanner.running.runner import ThreadExecutor
from scanner.running.scan import new_scan
from scanner.running.scanrun import ScanRun

TARGETS = [Target(TargetKind.URL, f"https://{n}.contoh.go.id/") for n in ("satu", "dua")]


class _Probe:
    name = "fake"

    def applies_to(self, target: Target) -> bool:
        return True

    def run(self, target: Target, ctx: ProbeContext) -> dict[str, Any]:
        return {"seen": target.id}


class _InterruptedAfterOne:
    """Observes the first job, then Ctrl-C."""

    def observe(self, jobs: Sequence[Job], ctx: ProbeContext, on_facts: ProgressCallback) -> list[Facts]:
        on_facts(Facts(probe=jobs[0].probe.name, target_id=jobs[0].target.id, data={"seen": 1}))
        raise KeyboardInterrupt


@pytest.fixture(scope="module")
def ruleset() -> RuleSet:
    return load_rules()


def _rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as db:
        return db.execute(sql).fetchall()


def test_each_observation_is_stored_before_it_counts_and_the_end_is_recorded(tmp_path: Path,
                                                                             ruleset: RuleSet) -> None:
    path = tmp_path / "history.db"
    run = ScanRun.begin(Store(f"sqlite:///{path}"), new_scan(TARGETS, ruleset))
    assert _rows(path, "SELECT status FROM pindai_scans") == [("running",)]
    stored_when_counted: list[int] = []
    status = run.run([_Probe()], ruleset, ProbeContext(), ThreadExecutor(),
                     on_facts=lambda f: stored_when_counted.append(len(_rows(path, "SELECT id FROM pindai_facts"))),
                     finishing=lambda result: result)
    assert status == COMPLETE == run.recorded
    assert sorted(stored_when_counted) == [1, 2]
    assert _rows(path, "SELECT status FROM pindai_scans") == [("complete",)]
    assert [f.target_id for f in run.result.facts] == [t.id for t in TARGETS]


def test_an_interrupted_scan_is_recorded_interrupted_with_what_was_observed(tmp_path: Path,
                                                                             ruleset: RuleSet) -> None:
    path = tmp_path / "history.db"
    run = ScanRun.begin(Store(f"sqlite:///{path}"), new_scan(TARGETS, ruleset))
    with pytest.raises(KeyboardInterrupt):
        run.run([_Probe()], ruleset, ProbeContext(), _InterruptedAfterOne())
    assert run.recorded == INTERRUPTED
    assert _rows(path, "SELECT status FROM pindai_scans") == [("interrupted",)]
    assert _rows(path, "SELECT target_id FROM pindai_facts") == [(TARGETS[0].id,)]


def test_without_a_store_nothing_is_recorded(ruleset: RuleSet) -> None:
    run = ScanRun.begin(None, new_scan(TARGETS, ruleset))
    assert run.writer is None
    assert run.run([_Probe()], ruleset, ProbeContext(), ThreadExecutor()) == COMPLETE
    assert len(run.result.facts) == 2
