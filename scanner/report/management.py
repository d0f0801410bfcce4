"""Management summary: one to three A4 pages for the head of the agency (pimpinan).

Posture, the top risks in plain words with how many targets and Perangkat Daerah each touches, a
table per Perangkat Daerah, the control checklist's measured counts, the trend against a previous
scan and the overdue follow-ups (accepted risks whose time has run out) when there are any, plus
the workpaper identifiers (operator, authorisation, local time, result SHA-256).

``write_summary`` is the entry point for scheduled per-agency runs.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from scanner.judging.rules import RuleSet
from scanner.model import ScanResult, Severity
from scanner.report.common import agency_of, counts_by_agency, strings, targets_by_id, text, top_fixes
from scanner.report.controls import checklist, not_tested
from scanner.report.html import environment
from scanner.report.integrity import sealed
from scanner.report.summary import risk_posture, severity_counts
from scanner.report.workpaper import number, workpaper_meta

TOP_RISKS = 5
MAX_AGENCY_ROWS = 30


def _risks(result: ScanResult, ruleset: RuleSet, lang: str) -> list[dict[str, Any]]:
    targets = targets_by_id(result)
    out = []
    for fix in top_fixes(result, TOP_RISKS):
        rule = ruleset.by_id(fix.rule_id)
        steps = getattr(rule.spec.remediation, lang) if rule else []
        out.append({"title": text(fix.title, lang), "severity": fix.severity.value, "rule_id": fix.rule_id,
                    "targets": len(fix.targets),
                    "agencies": len({agency_of(f, targets) for f in fix.findings}),
                    "first_step": steps[0] if steps else ""})
    return out


def _agencies(result: ScanResult, lang: str) -> tuple[list[dict[str, Any]], int]:
    s = strings(lang)
    sites = Counter(t.agency for t in result.targets)
    rules: dict[str, Counter[str]] = defaultdict(Counter)
    targets = targets_by_id(result)
    for f in result.open_findings():
        rules[agency_of(f, targets)][text(f.title, lang)] += 1
    rows = [{"name": agency or s["no_agency"], "targets": sites.get(agency, 0), "counts": counts,
             "top": rules[agency].most_common(1)[0][0] if rules[agency] else ""}
            for agency, counts in counts_by_agency(result).items()]
    return rows[:MAX_AGENCY_ROWS], max(0, len(rows) - MAX_AGENCY_ROWS)


def _overdue(result: ScanResult) -> int:
    """Open findings whose accepted risk (suppression) has expired: follow-ups past their date."""
    return sum(1 for f in result.open_findings() if f.suppression)


def summary_context(result: ScanResult, ruleset: RuleSet, lang: str,
                    previous: ScanResult | None = None) -> dict[str, Any]:
    s = strings(lang)
    counts = severity_counts(result)
    controls = checklist(result, ruleset, lang)
    untested = not_tested(controls)
    agencies, more = _agencies(result, lang)
    change = None
    if previous is not None:
        from scanner.report.common import trend

        t = trend(result, previous)
        change = {"previous": previous.scan_id, "new": len(t.new), "resolved": len(t.resolved),
                  "unchanged": len(t.unchanged)}
    return {
        "s": s, "lang": lang, "result": result, "counts": counts, "total": sum(counts.values()),
        "posture": risk_posture(result), "sev_labels": {sev.value: s["sev_" + sev.value] for sev in Severity},
        "risks": _risks(result, ruleset, lang), "agencies": agencies, "agencies_more": more,
        "checklist": controls, "trend": change, "overdue": _overdue(result),
        "wp": workpaper_meta(result, lang, untested), "num": lambda v: number(v, lang),
        "agency": (result.profile or {}).get("agency") or "",
        "targets": len(result.targets),
    }


def render_summary(result: ScanResult, ruleset: RuleSet, lang: str, previous: ScanResult | None = None) -> str:
    """The management summary as a self-contained HTML page (prints on one to three A4 pages)."""
    page = summary_context(result, ruleset, lang, previous)
    return sealed(environment().get_template("summary.html.j2").render(**page))


def write_summary(result: ScanResult, ruleset: RuleSet, path: Path, lang: str = "id",
                  previous: ScanResult | None = None) -> Path:
    """Write the management summary of ``result`` to ``path`` (HTML); returns the path."""
    from scanner.report.escape import encodable

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(encodable(render_summary(result, ruleset, lang, previous)), encoding="utf-8")
    return path
