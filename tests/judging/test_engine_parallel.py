"""Fleet-sized batches are judged in worker processes with exactly the serial result."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import scanner.judging.engine
from scanner.judging.engine import _judge_serially, judge
from scanner.judging.rules import load_rules
from scanner.model import Facts, Target

DATA = Path(__file__).parent.parent / "data" / "demo-facts.json"  # real, masked facts from the demo scan


def _fleet(copies: int) -> tuple[list[Facts], list[Target]]:
    raw = json.loads(DATA.read_text(encoding="utf-8"))
    base = {t["id"]: Target.from_dict(t) for t in raw["targets"]}
    facts: list[Facts] = []
    targets: list[Target] = []
    for n in range(copies):
        renamed = {tid: replace(t, location=f"{t.location}#{n}" if "://" in t.location else f"{t.location}-{n}")
                   for tid, t in base.items()}
        targets.extend(renamed.values())
        facts.extend(replace(Facts.from_dict(f), target_id=renamed[f["target_id"]].id) for f in raw["facts"])
    return facts, targets


def test_parallel_judging_equals_serial(monkeypatch):
    monkeypatch.setattr(scanner.judging.engine, "PARALLEL_MIN_OBSERVATIONS", 20)  # fleet behaviour, test-sized batch
    monkeypatch.setattr(scanner.judging.engine, "_judge_serially", _refuse)  # the parent must not judge this batch
    ruleset = load_rules()
    assert ruleset.source is not None
    facts, targets = _fleet(copies=3)
    parallel = judge(facts, targets, ruleset)
    monkeypatch.undo()
    serial = _judge_serially(facts, targets, ruleset)
    serial.findings.sort(key=lambda f: (-f.priority, f.rule_id, f.target_id, f.item_key))
    assert len(parallel.findings) > 300
    assert [f.to_dict() for f in parallel.findings] == [f.to_dict() for f in serial.findings]
    assert parallel.evaluated_rules == serial.evaluated_rules
    assert sorted((e.rule_id, e.target_id) for e in parallel.errors) == sorted(
        (e.rule_id, e.target_id) for e in serial.errors)


def _refuse(*args: object) -> None:
    raise AssertionError("judged in the parent process")


SCRIPT = """
import json, sys
sys.path.insert(0, sys.argv[1])
import scanner.judging.engine as engine
from tests.judging.test_engine_parallel import _fleet
from scanner.judging.rules import load_rules
engine.PARALLEL_MIN_OBSERVATIONS = 5
facts, targets = _fleet(1)
print(len(engine.judge(facts, targets, load_rules()).findings))
"""


def test_unusable_worker_processes_fall_back_to_serial_judging():
    """Code fed on standard input has no __main__ file for spawned workers to import."""
    root = str(Path(__file__).parent.parent.parent)
    done = subprocess.run([sys.executable, "-", root], input=SCRIPT, capture_output=True, text=True, cwd=root,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert int(done.stdout.strip()) > 100
    assert "judging in worker processes failed" in done.stderr
