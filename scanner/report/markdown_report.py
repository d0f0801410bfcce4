"""Markdown for a merge-request comment: summary table, top fixes, collapsible details."""

from __future__ import annotations

from scanner.compliance import STATUSES, compliance_view, status_counts
from scanner.model import ScanResult
from scanner.report.common import (
    agency_of,
    counts_by_agency,
    inconclusive_rows,
    risk_posture,
    sorted_findings,
    strings,
    targets_by_id,
    text,
    top_fixes,
)
from scanner.report.evidence import evidence_summary
from scanner.report.summary import severity_counts
from scanner.rules import RuleSet

MAX_DETAILS = 50  # keep the comment well under GitHub's / GitLab's comment size limits
MAX_EVIDENCE = 300  # characters of evidence per finding in a PR comment; the HTML report has it all
_ICON = {"critical": "🟥", "high": "🟧", "medium": "🟨", "low": "🟦", "info": "⬜"}


def cell(value: object) -> str:
    """Table-cell-safe text: no pipes, no newlines, no raw HTML."""
    return (str(value).replace("|", "\\|").replace("\n", " ").replace("<", "&lt;").replace(">", "&gt;"))


def render(result: ScanResult, ruleset: RuleSet, lang: str) -> str:
    s = strings(lang)
    counts = severity_counts(result)
    targets = targets_by_id(result)
    posture = risk_posture(counts)
    out = [f"## {s['title']}", "", f"**{s['risk_posture']}:** {s['posture_' + posture]}  ",
           f"{s['scan']} `{result.scan_id}` · {result.started_at} · {s['targets']}: {len(result.targets)}", ""]
    out += ["| " + " | ".join(f"{_ICON[k]} {s['sev_' + k]}" for k in counts) + " |",
            "|" + "---:|" * len(counts), "| " + " | ".join(str(n) for n in counts.values()) + " |", ""]
    agencies = counts_by_agency(result)
    if len(agencies) > 1:
        out += [f"| {s['agency']} | " + " | ".join(s["sev_" + k] for k in counts) + " |",
                "|---|" + "---:|" * len(counts)]
        out += [f"| {cell(a or s['no_agency'])} | " + " | ".join(str(n) for n in row.values()) + " |"
                for a, row in agencies.items()]
        out.append("")
    fixes = top_fixes(result)
    if fixes:
        out += [f"### {s['top_fixes']}", "", f"| # | {s['rule']} | {s['severity']} | {s['targets']} | {s['finding']} |",
                "|---:|---|---|---:|---|"]
        out += [f"| {n} | `{fx.rule_id}` | {_ICON[fx.severity.value]} {s['sev_' + fx.severity.value]} | "
                f"{len(fx.targets)} | {cell(text(fx.title, lang))} |" for n, fx in enumerate(fixes, start=1)]
        out.append("")
    else:
        out += [s["no_findings"], ""]
    findings = sorted_findings(result.open_findings())
    if findings:
        out += [f"<details><summary>{s['findings']} ({len(findings)})</summary>", ""]
        for f in findings[:MAX_DETAILS]:
            rule = ruleset.by_id(f.rule_id)
            out.append(f"- {_ICON[f.severity.value]} **{cell(text(f.message, lang))}** — `{f.rule_id}` "
                       f"`{f.target_id}` ({cell(agency_of(f, targets) or s['no_agency'])}, "
                       f"{s['priority']} {f.priority:.1f})")
            if f.evidence:
                shown = evidence_summary(f.evidence, lang)
                shown = cell(shown if len(shown) <= MAX_EVIDENCE else shown[:MAX_EVIDENCE - 1] + "…").replace("`", "'")
                out.append(f"  - {s['evidence']}: `{shown}`")
            if rule:
                out.append(f"  - {s['remediation']}: {cell(getattr(rule.spec.remediation, lang)[0])}")
        if len(findings) > MAX_DETAILS:
            out.append(f"- … {s['and_more'].format(n=len(findings) - MAX_DETAILS)}")
        out += ["", "</details>", ""]
    view = compliance_view(result, ruleset)
    if view:
        out += [f"<details><summary>{s['compliance']}</summary>", "",
                "| " + " | ".join([s["regulation"], *(s["status_" + st] for st in STATUSES)]) + " |",
                "|---" + "|---:" * len(STATUSES) + "|"]
        for cat_id, rows in view.items():
            c = status_counts(rows)
            short = ruleset.regulations.catalogues[cat_id].short
            out.append(f"| {cell(short)} | " + " | ".join(str(c[st]) for st in STATUSES) + " |")
        out += ["", "</details>", ""]
    inconclusive = inconclusive_rows(result, lang)
    if inconclusive:
        out += [f"<details><summary>{s['inconclusive']} ({len(inconclusive)})</summary>", ""]
        out += [f"- `{r['target_id']}` ({r['probe']}): {cell(r['reason'])}" for r in inconclusive]
        out += ["", "</details>", ""]
    out.append(f"<sub>Pindai {result.tool_version} · {s['rulepack']} {result.rulepack_version}</sub>")
    return "\n".join(out) + "\n"
