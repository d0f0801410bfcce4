"""GitLab Code Quality report (Code Climate issues): findings as merge-request annotations on the
changed lines, on every GitLab tier. Open findings only."""

from __future__ import annotations

import json
from typing import Any

from scanner.judging.rules import RuleSet
from scanner.model import ScanResult
from scanner.report.common import strings, text
from scanner.report.gitlab import places

SEVERITY = {"critical": "blocker", "high": "critical", "medium": "major", "low": "minor", "info": "info"}


def build(result: ScanResult, ruleset: RuleSet, lang: str) -> list[dict[str, Any]]:
    strings(lang)
    issues = []
    for finding, _target, path, line in places(result, ruleset):
        message = text(finding.message, lang) or text(finding.title, lang)
        issues.append({"type": "issue", "check_name": finding.rule_id,
                       "description": f"{finding.rule_id}: {message}", "categories": ["Security"],
                       "fingerprint": finding.fingerprint, "severity": SEVERITY[finding.severity.value],
                       "location": {"path": path, "lines": {"begin": line}}})
    return issues


def render(result: ScanResult, ruleset: RuleSet, lang: str) -> str:
    return json.dumps(build(result, ruleset, lang), indent=2, ensure_ascii=False)
