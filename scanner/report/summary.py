"""Counts and the overall verdict that several report formats share."""

from __future__ import annotations

from collections import Counter

from scanner.model import ScanResult, Severity

FULL, PARTIAL, NONE = "full", "partial", "none"  # how much of a scan's targets was assessed


def severity_counts(result: ScanResult) -> dict[str, int]:
    """Open findings per severity, every severity present (most serious first)."""
    counts = Counter(f.severity for f in result.open_findings())
    return {s.value: counts.get(s, 0) for s in Severity}


def not_fully_assessed(result: ScanResult) -> list[str]:
    """Ids of the targets not observed in full: never observed, an inconclusive or capped observation,
    or a rule that could not be evaluated on them."""
    cut = {f.target_id for f in result.facts if not f.conclusive or f.limits}
    cut |= {e.target_id for e in result.evaluation_errors}
    observed = {f.target_id for f in result.facts if f.conclusive}
    return [t.id for t in result.targets if t.id in cut or t.id not in observed]


def assessment(result: ScanResult) -> str:
    """``full`` when every target was observed in full and every rule evaluated, ``none`` when no
    target was observed at all, else ``partial``."""
    if not any(f.conclusive for f in result.facts):
        return NONE
    return FULL if result.complete() and not not_fully_assessed(result) else PARTIAL


def risk_posture(result: ScanResult) -> str:
    """Overall posture key: the most serious open severity (``critical`` … ``low``); without open
    findings ``good`` only when everything was assessed, else ``partial`` or ``not_assessed``.

    Nothing unobserved ever reads as good."""
    counts = severity_counts(result)
    for sev in ("critical", "high", "medium", "low"):
        if counts.get(sev):
            return sev
    return {FULL: "good", PARTIAL: "partial", NONE: "not_assessed"}[assessment(result)]
