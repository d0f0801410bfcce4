"""Findings as issues: one entry per rule listing every affected target, identical findings once.

Large scans (fleets) print this view instead of one section per asset: a 100-site fleet whose sites
share the same weaknesses reads as a dozen issues, each naming its targets, not a hundred copies.
Each issue shows up to ``MAX_VARIANTS`` distinct findings (same message and item on several
targets are one variant) with the evidence and reproduction of its first target; the complete
per-target detail stays in the JSON, CSV and XLSX outputs.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from scanner.model import Finding, ScanResult, Target
from scanner.report.common import agency_of, sorted_findings, targets_by_id, text

FLEET_MIN_TARGETS = 10
MAX_VARIANTS = 3


def fleet_view(result: ScanResult) -> bool:
    """Whether the report shows issues (many targets) rather than one section per asset."""
    return len({f.target_id for f in result.findings}) >= FLEET_MIN_TARGETS


def issues(result: ScanResult, lang: str) -> list[dict[str, Any]]:
    """Open and suppressed findings grouped by rule, most urgent first; variants by (message, item)."""
    targets = targets_by_id(result)
    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for f in sorted_findings([f for f in result.findings if f.status in ("open", "suppressed")]):
        by_rule[f.rule_id].append(f)
    out: list[dict[str, Any]] = []
    for rule_id, findings in by_rule.items():
        variants: dict[tuple[str, str, str], list[Finding]] = defaultdict(list)
        for f in findings:
            variants[(text(f.message, lang), f.item_key, f.status)].append(f)
        affected = list(dict.fromkeys(f.target_id for f in findings))
        out.append({
            "rule_id": rule_id, "title": text(findings[0].title, lang),
            "severity": max(findings, key=lambda f: f.severity.rank).severity.value,
            "priority": max(f.priority for f in findings),
            "open": sum(1 for f in findings if f.status == "open"),
            "targets": [_target_line(t, targets) for t in affected],
            "agencies": sorted({agency_of(f, targets) for f in findings}),
            "variants": [{"finding": group[0], "targets": list(dict.fromkeys(f.target_id for f in group))}
                         for group in list(variants.values())[:MAX_VARIANTS]],
            "more_variants": max(0, len(variants) - MAX_VARIANTS),
        })
    return out


def _target_line(target_id: str, targets: dict[str, Target]) -> dict[str, str]:
    target = targets.get(target_id)
    return {"id": target_id, "name": target.name if target else "", "agency": target.agency if target else ""}
