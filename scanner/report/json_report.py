"""JSON output: the full scan result plus a computed summary and compliance view, versioned.

The document follows ``docs/schemas/result.schema.json`` (JSON Schema 2020-12). ``schema_version``
versions the stored scan result (model); ``report_version`` versions the added summary blocks.
``ScanResult.from_dict`` ignores the added top-level keys, so ``pindai report`` and
``pindai rejudge`` read this output back.
"""

from __future__ import annotations

import json
from typing import Any

from scanner.audit import result_digest
from scanner.judging.compliance import compliance_view
from scanner.judging.rules import RuleSet
from scanner.model import ScanResult
from scanner.report.common import (
    counts_by_agency,
    coverage_notes,
    inconclusive_rows,
    reference,
    scrub,
    strings,
    suppression_view,
    text,
    top_fixes,
)
from scanner.report.controls import checklist
from scanner.report.summary import assessment, risk_posture, severity_counts

# 2.0: compliance statuses finding/no_findings/not_tested/manual/context; references; coverage
# 2.1: checklist (BSSN controls K1-K72 with measured statuses), result_sha256
REPORT_VERSION = "2.1"


def summary(result: ScanResult, lang: str) -> dict[str, Any]:
    counts = severity_counts(result)
    return {
        "severity_counts": counts,
        "risk_posture": risk_posture(result),
        "open_findings": len(result.open_findings()),
        "suppressed_findings": sum(1 for f in result.findings if f.status == "suppressed"),
        "stale_suppressions": (result.profile or {}).get("stale_suppressions", []),
        "by_agency": [{"agency": a, "severity_counts": c} for a, c in counts_by_agency(result).items()],
        "top_fixes": [
            {"rule_id": fx.rule_id, "severity": fx.severity.value, "title": text(fx.title, lang),
             "findings": len(fx.findings), "targets": fx.targets, "max_priority": fx.max_priority}
            for fx in top_fixes(result)
        ],
        "inconclusive": inconclusive_rows(result, lang),
        "complete": result.complete(),
        "assessment": assessment(result),
        "coverage": [note.to_dict() for note in coverage_notes(result, lang)],
    }


def compliance(result: ScanResult, ruleset: RuleSet, lang: str) -> dict[str, list[dict[str, Any]]]:
    s = strings(lang)
    return {
        catalogue: [
            {"ref": row.article.ref, "title": row.article.title[lang], "status": row.status, "rules": row.rules,
             "findings": row.findings, "tested": row.tested, "untested_rules": row.untested_rules,
             "reference": reference(ruleset, row.article.ref, lang).to_dict(s)}
            for row in rows
        ]
        for catalogue, rows in compliance_view(result, ruleset).items()
    }


def references(result: ScanResult, ruleset: RuleSet, lang: str) -> dict[str, dict[str, Any]]:
    """Every article cited by a finding or a loaded rule, with what it is (binding, source, summary)."""
    s = strings(lang)
    cited = [ref for f in result.findings for ref in f.references]
    cited += [ref for rule in ruleset.rules for ref in rule.spec.references]
    return {ref: reference(ruleset, ref, lang).to_dict(s) for ref in dict.fromkeys(cited)}


def _scrub_observations(data: dict[str, Any]) -> None:
    """Safety net: mask personal data in observed values (facts, evidence, messages, reasons).

    Probes mask before storing, so this is normally a no-op; identities (target ids,
    fingerprints, item keys) are left untouched so the result still round-trips.
    """
    for fact in data["facts"]:
        fact["data"], fact["reason"] = scrub(fact["data"]), scrub(fact["reason"])
    for finding in data["findings"]:
        finding["evidence"], finding["message"] = scrub(finding["evidence"]), scrub(finding["message"])
        if finding.get("suppression"):
            finding["suppression"] = suppression_view(finding["suppression"])


def build(result: ScanResult, ruleset: RuleSet, lang: str) -> dict[str, Any]:
    data: dict[str, Any] = {"report_version": REPORT_VERSION, "lang": lang}
    data.update(result.to_dict())
    _scrub_observations(data)
    data["summary"] = summary(result, lang)
    data["compliance"] = compliance(result, ruleset, lang)
    data["references"] = references(result, ruleset, lang)
    data["checklist"] = checklist(result, ruleset, lang)
    data["result_sha256"] = result_digest(result)
    return data


def render(result: ScanResult, ruleset: RuleSet, lang: str) -> str:
    """Serialise ``result``; it can be loaded back by ``pindai report`` and ``pindai rejudge``."""
    return json.dumps(build(result, ruleset, lang), indent=2, ensure_ascii=False)
