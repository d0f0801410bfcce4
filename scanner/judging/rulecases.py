"""Rule cases: facts on which a rule must fire (and how often) or stay silent (``pindai rules test``).

Cases sit beside their pack as ``<pack>.cases.yaml`` (the shipped packs' cases are
``tests/rules/cases/<pack>.yaml``), semgrep-style, so an agency tests its own pack the way the
shipped packs are tested::

    KAB-HTTP-001:
      fires:
        - facts: {headers: {server: {present: true, value: "Apache/2.2.15"}}}
          count: 1            # optional: exactly this many findings (default: at least one)
      passes:
        - facts: {headers: {server: {present: false}}}

Each case also gives ``exposure`` and target ``options`` when the rule reads them. Facts in a case
are checked against the probe's facts schema, so a case cannot pass on a field no probe emits.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from scanner.judging.engine import judge
from scanner.judging.factpaths import facts_schema, unknown_fields
from scanner.judging.rules import Rule, RuleSet
from scanner.model import Exposure, Facts, Target
from scanner.probes import specs
from scanner.resources import rule_cases_dir, rules_dir
from scanner.yamlio import load_yaml

CASES_SUFFIX = ".cases.yaml"


@dataclass(frozen=True)
class CaseFailure:
    """One case that did not hold: ``case`` is ``fires[0]``, ``passes[2]`` or ``""`` for the rule."""

    file: str
    rule_id: str
    case: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.rule_id} {self.case}".strip()
        return f"{self.file}: {where}: {self.reason}"


def cases_file(pack: Path) -> Path | None:
    """The cases of ``pack``: ``<pack>.cases.yaml`` beside it, or the shipped cases of a shipped pack."""
    beside = pack.with_name(pack.name.removesuffix(".yaml") + CASES_SUFFIX)
    if beside.is_file():
        return beside
    shipped = rule_cases_dir() / pack.name
    return shipped if pack.resolve().parent == rules_dir().resolve() and shipped.is_file() else None


def load_cases(path: Path) -> dict[str, Any]:
    """Rule id -> its cases; raises ValueError naming the file when the YAML is not a mapping."""
    try:
        data = load_yaml(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"{path}: cannot read cases: {exc}") from exc
    if not isinstance(data, dict):
        raise ValueError(f"{path}: cases must map rule ids to fires/passes lists")
    return data


def _evaluate(rule: Rule, case: dict[str, Any], ruleset: RuleSet) -> tuple[int, list[str]]:
    kind, location = specs()[rule.probe].example_target
    target = Target(kind, location, exposure=Exposure(case.get("exposure", "internet")),
                    options=case.get("options", {}))
    single = RuleSet(rules=[rule], regulations=ruleset.regulations, version="cases")
    judgement = judge([Facts(probe=rule.probe, target_id=target.id, data=case.get("facts") or {})], [target], single)
    return len(judgement.findings), [e.message for e in judgement.errors]


def _case_problem(rule: Rule, case: Any, fires: bool, ruleset: RuleSet) -> str | None:
    if not isinstance(case, dict) or not isinstance(case.get("facts"), dict):
        return "a case needs 'facts' (a mapping)"
    schema = facts_schema(rule.probe)
    unknown = unknown_fields(case["facts"], schema) if schema else []
    if unknown:
        return f"case facts: {unknown[0]}"
    count, errors = _evaluate(rule, case, ruleset)
    if errors:
        return f"the rule raised: {errors[0]}"
    expected = case.get("count")
    if not fires:
        return f"produced {count} finding(s), expected none" if count else None
    if expected is None:
        return None if count >= 1 else "produced no finding"
    return None if count == expected else f"{count} finding(s), expected {expected}"


def check_cases(ruleset: RuleSet, rules: list[Rule], cases: dict[str, Any], file: str) -> tuple[int, list[CaseFailure]]:
    """Run every case of ``rules``: (cases run, failures). A rule with no fires or no passes case,
    and a case for a rule that is not there, are failures too."""
    failures: list[CaseFailure] = []
    ran = 0
    ids = {rule.id for rule in rules}
    failures += [CaseFailure(file, rule_id, "", "cases for a rule that is not in the pack")
                 for rule_id in sorted(set(cases) - ids)]
    for rule in rules:
        entry = cases.get(rule.id) or {}
        for kind in ("fires", "passes"):
            listed = entry.get(kind) or [] if isinstance(entry, dict) else []
            if not listed:
                failures.append(CaseFailure(file, rule.id, "", f"no '{kind}' case"))
            for index, case in enumerate(listed):
                ran += 1
                problem = _case_problem(rule, case, kind == "fires", ruleset)
                if problem:
                    failures.append(CaseFailure(file, rule.id, f"{kind}[{index}]", problem))
    return ran, failures
