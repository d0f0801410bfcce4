"""The BSSN control checklist (K1-K72) of one scan: per control, what this scan can honestly say.

Same honesty rules as the article matrix (scanner.judging.compliance). Statuses:

- ``finding``: an open finding of a rule that declares the control;
- ``no_findings``: the control is testable in full from outside (``outside: full``) and every rule
  that declares it ran on applicable, conclusive facts without firing;
- ``partial``: some of its rules ran without firing, but they cover only part of the control (or
  not all of them ran); the tested part is named, the officer checks the rest;
- ``not_tested``: rules exist but none ran on applicable, conclusive facts;
- ``manual``: no rule tests it; the officer runs the named WSTG test (or ASVS check) by hand;
- ``not_applicable``: the scan has no target of a kind the control concerns (web applications,
  or the kinds the control's rules observe).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from scanner.judging.compliance import tested_by
from scanner.judging.controls import Control, ControlCatalogue, shipped_controls
from scanner.judging.rules import RuleSet
from scanner.model import ScanResult, TargetKind
from scanner.probes import specs

FINDING, NO_FINDINGS, PARTIAL, NOT_TESTED, MANUAL, NOT_APPLICABLE = (
    "finding", "no_findings", "partial", "not_tested", "manual", "not_applicable")
STATUSES = (FINDING, NO_FINDINGS, PARTIAL, NOT_TESTED, MANUAL, NOT_APPLICABLE)



@dataclass
class ControlStatus:
    """One control's status in one scan, with the rules that test it and where they ran."""

    control: Control
    status: str
    rules: list[str] = field(default_factory=list)
    findings: int = 0
    finding_targets: list[str] = field(default_factory=list)
    tested: dict[str, list[str]] = field(default_factory=dict)
    """rule id -> targets on which the rule ran on applicable, conclusive facts."""

    @property
    def untested_rules(self) -> list[str]:
        return [r for r in self.rules if r not in self.tested]


def _status(control: Control, rules: list[str], findings: int, tested: dict[str, list[str]],
            kinds_scanned: set[TargetKind], rule_kinds: set[TargetKind]) -> str:
    if findings:
        return FINDING
    if not rules:
        return MANUAL if TargetKind.URL in kinds_scanned else NOT_APPLICABLE
    if not tested:
        return NOT_TESTED if (rule_kinds | {TargetKind.URL}) & kinds_scanned else NOT_APPLICABLE
    if control.outside == "full" and len(tested) == len(rules):
        return NO_FINDINGS
    return PARTIAL


def checklist_view(result: ScanResult, ruleset: RuleSet, catalogue: ControlCatalogue | None = None
                   ) -> list[ControlStatus]:
    """Every control of the checklist, K1..K72, with its status in ``result``."""
    catalogue = catalogue or shipped_controls()
    declaring: dict[str, list[str]] = {}
    probes: dict[str, str] = {}
    for rule in ruleset.rules:
        probes[rule.id] = rule.probe
        for control_id in rule.spec.controls:
            declaring.setdefault(control_id, []).append(rule.id)
    open_findings = result.open_findings()
    fired = Counter(f.rule_id for f in open_findings)
    fired_on: dict[str, set[str]] = {}
    for f in open_findings:
        fired_on.setdefault(f.rule_id, set()).add(f.target_id)
    tested = tested_by(result, ruleset)
    kinds_scanned = {t.kind for t in result.targets}
    kinds_of = {name: spec.target_kinds for name, spec in specs().items()}  # target kinds each probe observes
    rows: list[ControlStatus] = []
    for control in catalogue.controls.values():
        rules = sorted(declaring.get(control.id, []))
        findings = sum(fired[r] for r in rules)
        targets = sorted({t for r in rules for t in fired_on.get(r, ())})
        row_tested = {r: tested[r] for r in rules if r in tested}
        rule_kinds = {kind for r in rules if probes[r] in kinds_of for kind in kinds_of[probes[r]]}
        status = _status(control, rules, findings, row_tested, kinds_scanned, rule_kinds)
        rows.append(ControlStatus(control, status, rules, findings, targets, row_tested))
    return rows


def checklist_counts(rows: list[ControlStatus]) -> dict[str, int]:
    """How many controls have each status (measured on this scan, not claimed)."""
    return {status: sum(1 for r in rows if r.status == status) for status in STATUSES}


def automation_counts(ruleset: RuleSet, catalogue: ControlCatalogue | None = None) -> dict[str, int]:
    """How many controls the loaded rules can test in full from outside, in part, or not at all."""
    catalogue = catalogue or shipped_controls()
    declared = {c for rule in ruleset.rules for c in rule.spec.controls}
    full = sum(1 for c in catalogue.controls.values() if c.id in declared and c.outside == "full")
    partial = sum(1 for c in catalogue.controls.values() if c.id in declared and c.outside != "full")
    return {"full": full, "partial": partial, "manual": len(catalogue.controls) - full - partial}
