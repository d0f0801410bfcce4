"""The fast judge (Rust-backed CEL, facts converted once per observation) finds exactly what celpy found."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scanner.judging.engine import _judge_serially
from scanner.judging.rules import load_rules
from scanner.model import Facts, Target, TargetKind
from tests.celpy_reference import celpy_ruleset

DATA = Path(__file__).parent.parent / "data"


def _load(name: str) -> tuple[list[Facts], list[Target]]:
    raw = json.loads((DATA / name).read_text(encoding="utf-8"))
    return [Facts.from_dict(f) for f in raw["facts"]], [Target.from_dict(t) for t in raw["targets"]]


@pytest.mark.parametrize("name", ["demo-facts.json", "fleet-facts.json"])
def test_fast_judge_equals_celpy_reference(name):
    """demo-facts: real masked facts of every probe; fleet-facts: two endpoints of bench/fleet_scan.py."""
    facts, targets = _load(name)
    ruleset = load_rules()
    fast = _judge_serially(facts, targets, ruleset)
    reference = _judge_serially(facts, targets, celpy_ruleset(ruleset))
    assert len(reference.findings) > 20
    order = sorted
    assert order(f.fingerprint for f in fast.findings) == order(f.fingerprint for f in reference.findings)
    assert order(json.dumps(f.to_dict(), sort_keys=True) for f in fast.findings) == order(
        json.dumps(f.to_dict(), sort_keys=True) for f in reference.findings)
    assert fast.evaluated_rules == reference.evaluated_rules
    assert sorted((e.rule_id, e.target_id) for e in fast.errors) == sorted(
        (e.rule_id, e.target_id) for e in reference.errors)


def test_rule_errors_stay_per_rule(write_pack, regulations):
    """A rule that fails on odd facts is recorded as an error and the other rules still find."""
    pack = write_pack(_rule("PND-TEST-001", "facts.missing.deeper == 1"), _rule("PND-TEST-002", "facts.port == 443"))
    ruleset = load_rules(pack, regulations)
    target = Target(TargetKind.URL, "https://127.0.0.1/")
    judgement = _judge_serially([Facts("tls", target.id, {"port": 443})], [target], ruleset)
    assert [f.rule_id for f in judgement.findings] == ["PND-TEST-002"]
    assert [e.rule_id for e in judgement.errors] == ["PND-TEST-001"]


def _rule(rule_id: str, when: str) -> str:
    return (f"id: {rule_id}\nprobe: tls\nseverity: low\ntitle: {{id: Judul, en: Title}}\n"
            f"description: {{id: Uraian, en: Description}}\nwhen: '{when}'\nmessage: {{id: Pesan, en: Message}}\n"
            "remediation: {id: [Langkah], en: [Step]}\nreferences: ['test-law:1']\n")
