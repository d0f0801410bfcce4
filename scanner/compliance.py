"""Compliance view: for each regulation article, PASS / FAIL / MANUAL from a scan's results."""

from __future__ import annotations

from dataclasses import dataclass, field

from scanner.model import ScanResult
from scanner.regulations import Article
from scanner.rules import RuleSet

PASS, FAIL, MANUAL = "PASS", "FAIL", "MANUAL"


@dataclass
class RequirementStatus:
    """Outcome for one article: FAIL if a finding cites it, PASS if a covering rule ran clean,
    MANUAL when no rule covers it or no covering rule could be evaluated in this scan."""

    article: Article
    status: str
    rules: list[str] = field(default_factory=list)
    findings: int = 0


def compliance_view(result: ScanResult, ruleset: RuleSet) -> dict[str, list[RequirementStatus]]:
    """Group every catalogue article's status by catalogue id."""
    covering: dict[str, list[str]] = {}
    for rule in ruleset.rules:
        for ref in rule.spec.references:
            covering.setdefault(ref, []).append(rule.id)
    cited: dict[str, int] = {}
    for finding in result.open_findings():
        for ref in finding.references:
            cited[ref] = cited.get(ref, 0) + 1
    evaluated = set(result.evaluated_rules)
    view: dict[str, list[RequirementStatus]] = {}
    for catalogue in ruleset.regulations.catalogues.values():
        rows = view.setdefault(catalogue.id, [])
        for article in catalogue.articles.values():
            rules = sorted(covering.get(article.ref, []))
            if cited.get(article.ref):
                status = FAIL
            elif any(r in evaluated for r in rules):
                status = PASS
            else:
                status = MANUAL
            rows.append(RequirementStatus(article, status, rules, cited.get(article.ref, 0)))
    return view


def status_counts(rows: list[RequirementStatus]) -> dict[str, int]:
    """How many articles of one catalogue are PASS, FAIL and MANUAL."""
    return {status: sum(1 for r in rows if r.status == status) for status in (PASS, FAIL, MANUAL)}
