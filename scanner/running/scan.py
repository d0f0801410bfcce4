"""One scan end to end (observe, then judge), resuming interrupted scans, re-judging facts."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from scanner import __version__
from scanner.audit import declares_personal_data
from scanner.extras import require_extra
from scanner.judging.engine import applicable_targets, judge
from scanner.judging.rules import RuleSet
from scanner.model import Finding, ScanResult, Target
from scanner.probes.base import Probe, ProbeContext
from scanner.running.executors import Executor, ProgressCallback, in_target_order, observe_all
from scanner.running.runner import ShardExecutor, ThreadExecutor


def executor_for(distributed: bool, processes: int | None = None) -> Executor:
    """Local threads in ``processes`` processes sharded by host (None: all cores for large scans), or
    `pindai worker --zone` processes through Celery (imported only then: a missing extra stops here)."""
    if not distributed:
        return ShardExecutor(processes)
    require_extra("distributed")
    from scanner.running.distributed import CeleryExecutor

    return CeleryExecutor()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def judged(result: ScanResult, ruleset: RuleSet) -> ScanResult:
    """Return ``result`` with findings recomputed from its facts under ``ruleset``."""
    judgement = judge(result.facts, result.targets, ruleset)
    if declares_personal_data(result):
        _cite_personal_data_law(judgement.findings, ruleset)
    return replace(
        result,
        findings=judgement.findings,
        evaluation_errors=judgement.errors,
        evaluated_rules=sorted(judgement.evaluated_rules),
        applicable=judgement.applicable_lists(),
        rulepack_version=ruleset.version,
    )


def with_applicability(result: ScanResult, ruleset: RuleSet) -> ScanResult:
    """``result`` with where each rule applied, worked out from its facts when it was judged before
    the judge recorded that (an older JSON result or history entry); the compliance view reads it."""
    if result.applicable is not None:
        return result
    applies = applicable_targets(result.facts, result.targets, ruleset)
    return replace(result, applicable={rule: sorted(targets) for rule, targets in sorted(applies.items())})


def _cite_personal_data_law(findings: list[Finding], ruleset: RuleSet) -> None:
    """The profile says the system processes personal data: findings cite the personal-data articles
    (gated on observed data by rules/regulations/applicability.yaml) as if general data was seen."""
    applicability = ruleset.regulations.applicability
    for finding in findings:
        rule = ruleset.by_id(finding.rule_id)
        if rule is not None and finding.sensitivity == "none":
            finding.references = applicability.cited_for(list(rule.spec.references), "general")


def new_scan(targets: list[Target], ruleset: RuleSet, profile: dict[str, Any] | None = None) -> ScanResult:
    """An empty result with a fresh scan id, ready to be stored before probing starts."""
    return ScanResult(
        scan_id=uuid.uuid4().hex[:12], started_at=_now(), finished_at="", tool_version=__version__,
        rulepack_version=ruleset.version, targets=targets, facts=[], profile=profile or {},
    )


def scan(
    result: ScanResult,
    probes: list[Probe],
    ruleset: RuleSet,
    ctx: ProbeContext,
    *,
    on_facts: ProgressCallback | None = None,
    executor: Executor | None = None,
) -> ScanResult:
    """Observe what ``result`` has not observed yet, then judge all of its facts.

    A fresh result observes everything; a resumed one (facts loaded from the store)
    only runs the target/probe pairs that have no facts yet, so nothing is duplicated.
    Checks the rule packs add (an agency's HTTP exposure checks) go to their probe through ``ctx``.
    ``executor`` observes (default: threads in this process).
    """
    if ruleset.checks:
        ctx = replace(ctx, checks={**ctx.checks, **ruleset.checks})
    done = observed_pairs(result)
    fresh = observe_all(executor or ThreadExecutor(), result.targets, probes, ctx, on_facts=on_facts, skip=done)
    facts = in_target_order(result.facts + [f for f in fresh if (f.target_id, f.probe) not in done], result.targets)
    return judged(replace(result, facts=facts, finished_at=_now()), ruleset)


def observed_pairs(result: ScanResult) -> set[tuple[str, str]]:
    """The (target id, probe) pairs ``result`` has observations of (what a resumed scan skips)."""
    return {(f.target_id, f.probe) for f in result.facts}
