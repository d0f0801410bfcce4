"""Where a finding points in GitLab's reports: a repository-relative file and line.

The same place the SARIF output points at: a code or SQL-file finding's file and line, otherwise
the declaring profile line, the target's own file or the ``pindai-targets/...`` pseudo-path.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from scanner.judging.rules import RuleSet
from scanner.model import Finding, ScanResult, Target
from scanner.report.common import observed_facts, targets_by_id
from scanner.report.evidence import reproduce
from scanner.report.sarif import location


def places(result: ScanResult, ruleset: RuleSet) -> list[tuple[Finding, Target | None, str, int]]:
    """Each open finding with its target, file and line."""
    targets, observed = targets_by_id(result), observed_facts(result)
    out = []
    for finding in result.findings:
        if finding.status != "open":
            continue
        target = targets.get(finding.target_id)
        facts: dict[str, Any] | None = observed.get((finding.target_id, finding.probe))
        points = reproduce(finding, target, facts, ruleset.by_id(finding.rule_id))
        physical = location(finding.target_id, target, points.file, points.line)["physicalLocation"]
        uri = unquote(str(physical["artifactLocation"]["uri"])).removeprefix("file://")
        out.append((finding, target, uri, int(physical.get("region", {}).get("startLine", 1))))
    return out
