"""Every shipped rule fires on its true cases and stays silent on its false cases.

Cases live in tests/rules/cases/<pack>.yaml (format: docs/architecture.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from scanner.engine import judge
from scanner.model import Exposure, Facts, Target, TargetKind
from scanner.rules import Rule, RuleSet, load_rules

CASES_DIR = Path(__file__).parent / "cases"
RULESET: RuleSet = load_rules()
CASES: dict[str, dict[str, Any]] = {}
for _file in sorted(CASES_DIR.glob("*.yaml")):
    CASES.update(yaml.safe_load(_file.read_text(encoding="utf-8")) or {})

_TARGETS = {
    "tls": "https://portal.contoh.go.id/",
    "http": "https://portal.contoh.go.id/",
    "auth": "https://api.contoh.go.id/",
    "database": "postgresql://pindai@db.contoh.go.id/simpeg",
    "sqlfile": "dump.sql",
    "code": "src",
}
_KINDS = {"tls": TargetKind.URL, "http": TargetKind.URL, "auth": TargetKind.URL, "database": TargetKind.DATABASE,
          "sqlfile": TargetKind.SQLFILE, "code": TargetKind.SOURCE}


def _evaluate(rule: Rule, case: dict[str, Any]) -> tuple[int, list[str]]:
    target = Target(_KINDS[rule.probe], _TARGETS[rule.probe], exposure=Exposure(case.get("exposure", "internet")),
                    options=case.get("options", {}))
    facts = Facts(probe=rule.probe, target_id=target.id, data=case["facts"])
    single = RuleSet(rules=[rule], regulations=RULESET.regulations, version="test")
    judgement = judge([facts], [target], single)
    return len(judgement.findings), [e.message for e in judgement.errors]


@pytest.mark.parametrize("rule", RULESET.rules, ids=lambda r: r.id)
def test_rule_has_true_and_false_cases(rule: Rule) -> None:
    cases = CASES.get(rule.id)
    assert cases, f"{rule.id} has no cases in tests/rules/cases/"
    assert cases.get("fires"), f"{rule.id} has no 'fires' case"
    assert cases.get("passes"), f"{rule.id} has no 'passes' case"


@pytest.mark.parametrize("rule", RULESET.rules, ids=lambda r: r.id)
def test_rule_cases(rule: Rule) -> None:
    cases = CASES.get(rule.id, {})
    for index, case in enumerate(cases.get("fires", [])):
        count, errors = _evaluate(rule, case)
        assert not errors, f"{rule.id} fires[{index}] raised: {errors}"
        expected = case.get("count")
        if expected is None:
            assert count >= 1, f"{rule.id} fires[{index}] produced no finding"
        else:
            assert count == expected, f"{rule.id} fires[{index}]: {count} findings, expected {expected}"
    for index, case in enumerate(cases.get("passes", [])):
        count, errors = _evaluate(rule, case)
        assert not errors, f"{rule.id} passes[{index}] raised: {errors}"
        assert count == 0, f"{rule.id} passes[{index}] produced {count} finding(s)"


def test_cases_name_only_existing_rules() -> None:
    unknown = sorted(set(CASES) - {r.id for r in RULESET.rules})
    assert not unknown, f"cases for unknown rules: {unknown}"
