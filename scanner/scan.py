"""One scan end to end (observe, then judge), and re-judging stored facts."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from scanner import __version__
from scanner.engine import judge
from scanner.model import ScanResult, Target
from scanner.probes.base import Probe, ProbeContext
from scanner.rules import RuleSet
from scanner.runner import ProgressCallback, run_probes


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def judged(result: ScanResult, ruleset: RuleSet) -> ScanResult:
    """Return ``result`` with findings recomputed from its facts under ``ruleset``."""
    judgement = judge(result.facts, result.targets, ruleset)
    return replace(
        result,
        findings=judgement.findings,
        evaluation_errors=judgement.errors,
        evaluated_rules=sorted(judgement.evaluated_rules),
        rulepack_version=ruleset.version,
    )


def scan(
    targets: list[Target],
    probes: list[Probe],
    ruleset: RuleSet,
    ctx: ProbeContext,
    *,
    profile: dict[str, Any] | None = None,
    on_facts: ProgressCallback | None = None,
) -> ScanResult:
    """Observe ``targets`` with ``probes`` and judge the facts under ``ruleset``."""
    started = _now()
    facts = run_probes(targets, probes, ctx, on_facts=on_facts)
    result = ScanResult(
        scan_id=uuid.uuid4().hex[:12],
        started_at=started,
        finished_at=_now(),
        tool_version=__version__,
        rulepack_version=ruleset.version,
        targets=targets,
        facts=facts,
        profile=profile or {},
    )
    return judged(result, ruleset)
