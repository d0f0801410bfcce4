"""Compliance view: what one scan can honestly say about each regulation article.

An article is never "passed": a clean scan is not legal compliance. Statuses:

- ``finding``: an open finding cites the article;
- ``no_findings``: every rule that tests the article ran on applicable, conclusive facts of at
  least one target (its ``applies_when`` held) and none fired; the targets and rules are listed;
- ``not_tested``: some rule that tests the article had no applicable conclusive facts;
- ``manual``: no rule can test the article; an auditor checks it by hand;
- ``context``: not an obligation of the scanned agency (definitions, sanctions, criminal and
  transitional provisions; rules/regulations/applicability.yaml), never a checklist row.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from scanner.audit import declares_personal_data
from scanner.judging.regulations import Article
from scanner.judging.rules import RuleSet
from scanner.model import ScanResult

FINDING, NO_FINDINGS, NOT_TESTED, MANUAL, CONTEXT = "finding", "no_findings", "not_tested", "manual", "context"
STATUSES = (FINDING, NO_FINDINGS, NOT_TESTED, MANUAL, CONTEXT)


@dataclass
class RequirementStatus:
    """One article's status, with the rules that test it and where each rule really tested it."""

    article: Article
    status: str
    rules: list[str] = field(default_factory=list)
    findings: int = 0
    tested: dict[str, list[str]] = field(default_factory=dict)
    """rule id -> targets where the rule ran on applicable, conclusive facts without an error."""

    @property
    def untested_rules(self) -> list[str]:
        return [r for r in self.rules if r not in self.tested]

    @property
    def observed(self) -> bool:
        """Something in this scan bears on the article: a finding or at least one real test."""
        return self.status == FINDING or bool(self.tested)


def tested_by(result: ScanResult, ruleset: RuleSet) -> dict[str, list[str]]:
    """Rule id -> sorted targets on which the rule ran on applicable facts without an evaluation error."""
    failed = {(e.rule_id, e.target_id) for e in result.evaluation_errors}
    evaluated = set(result.evaluated_rules)
    applies = result.applicable or {}  # recorded by the judge (scan.with_applicability for older results)
    out: dict[str, list[str]] = {}
    for rule_id, targets in applies.items():
        kept = sorted(t for t in targets if (rule_id, t) not in failed)
        if rule_id in evaluated and kept:
            out[rule_id] = kept
    return out


def _status(ref: str, rules: list[str], cited: int, tested: dict[str, list[str]], ruleset: RuleSet,
            personal_data: bool = False) -> str:
    if cited:
        return FINDING
    applicability = ruleset.regulations.applicability
    if applicability.is_context(ref):
        return CONTEXT
    if not rules:
        return MANUAL
    if applicability.sensitivity(ref) != "none" and not personal_data:
        return NOT_TESTED  # a clean run says nothing about a personal-data article when none was involved
    return NO_FINDINGS if all(r in tested for r in rules) else NOT_TESTED


def compliance_view(result: ScanResult, ruleset: RuleSet) -> dict[str, list[RequirementStatus]]:
    """Every catalogue article's status, grouped by catalogue id in order of precedence
    (binding Indonesian law by hierarchy first, then voluntary standards and foreign law)."""
    covering: dict[str, list[str]] = {}
    for rule in ruleset.rules:
        for ref in rule.spec.references:
            covering.setdefault(ref, []).append(rule.id)
    cited = Counter(ref for finding in result.open_findings() for ref in finding.references)
    tested = tested_by(result, ruleset)
    personal_data = declares_personal_data(result)
    view: dict[str, list[RequirementStatus]] = {}
    for catalogue in ruleset.regulations.catalogues.values():
        rows = view.setdefault(catalogue.id, [])
        for article in catalogue.articles.values():
            rules = sorted(covering.get(article.ref, []))
            row_tested = {r: tested[r] for r in rules if r in tested}
            status = _status(article.ref, rules, cited[article.ref], row_tested, ruleset, personal_data)
            rows.append(RequirementStatus(article, status, rules, cited[article.ref], row_tested))
    return view


def status_counts(rows: list[RequirementStatus]) -> dict[str, int]:
    """How many articles of one catalogue have each status."""
    return {status: sum(1 for r in rows if r.status == status) for status in STATUSES}
