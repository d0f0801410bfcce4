"""GitLab SAST report (``gl-sast-report.json``, schema 15.0.6): findings in GitLab's merge-request
security widget and vulnerability report. Open findings only; suppressed ones stay out."""

from __future__ import annotations

import json
import uuid
from typing import Any

from scanner.judging.rules import RuleSet
from scanner.model import Finding, ScanResult
from scanner.report.common import strings, text
from scanner.report.gitlab import places

SCHEMA_VERSION = "15.0.6"
SCHEMA_URL = ("https://gitlab.com/gitlab-org/security-products/security-report-schemas/-/raw/"
              f"v{SCHEMA_VERSION}/dist/sast-report-format.json")
SEVERITY = {"critical": "Critical", "high": "High", "medium": "Medium", "low": "Low", "info": "Info"}
_NAMESPACE = uuid.UUID("6f1c0d9e-6a55-4b1a-9a43-70696e646169")
_TOOL = {"id": "pindai", "name": "Pindai", "vendor": {"name": "Pindai"}}


def _time(value: str | None) -> str:
    """GitLab wants ``yyyy-mm-ddThh:mm:ss`` (UTC, no zone)."""
    return (value or "1970-01-01T00:00:00")[:19]


def _identifiers(finding: Finding) -> list[dict[str, str]]:
    ids = [{"type": "pindai_rule", "name": f"Pindai {finding.rule_id}", "value": finding.rule_id}]
    evidence = finding.evidence or {}
    for advisory in [*evidence.get("advisories", []), *evidence.get("aliases", [])]:
        kind = str(advisory).split("-", 1)[0].lower()
        if kind in ("cve", "ghsa", "pysec", "osv"):
            ids.append({"type": kind, "name": str(advisory), "value": str(advisory),
                        "url": f"https://osv.dev/vulnerability/{advisory}"})
    return ids


def _vulnerability(finding: Finding, path: str, line: int, ruleset: RuleSet, lang: str) -> dict[str, Any]:
    rule = ruleset.by_id(finding.rule_id)
    title = text(finding.title, lang) or finding.rule_id
    message = text(finding.message, lang)
    description = f"{message}\n\n{getattr(rule.spec.description, lang)}" if rule else message
    steps = getattr(rule.spec.remediation, lang) if rule else []
    return {
        "id": str(uuid.uuid5(_NAMESPACE, finding.fingerprint)),
        "name": title[:255],
        "description": description[:1_000_000],
        "severity": SEVERITY[finding.severity.value],
        "solution": "\n".join(f"{n}. {step}" for n, step in enumerate(steps, start=1))[:7000],
        "identifiers": _identifiers(finding),
        "location": {"file": path, "start_line": line},
    }


def build(result: ScanResult, ruleset: RuleSet, lang: str) -> dict[str, Any]:
    strings(lang)  # refuse an unknown language like every renderer
    tool = {**_TOOL, "version": result.tool_version or "0"}
    return {
        "schema": SCHEMA_URL,
        "version": SCHEMA_VERSION,
        "scan": {"analyzer": tool, "scanner": tool, "type": "sast", "status": "success",
                 "start_time": _time(result.started_at), "end_time": _time(result.finished_at or result.started_at)},
        "vulnerabilities": [_vulnerability(f, path, line, ruleset, lang)
                            for f, _target, path, line in places(result, ruleset)],
    }


def render(result: ScanResult, ruleset: RuleSet, lang: str) -> str:
    return json.dumps(build(result, ruleset, lang), indent=2, ensure_ascii=False)
