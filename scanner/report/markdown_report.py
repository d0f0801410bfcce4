"""Markdown for a merge-request comment: summary table, top fixes, collapsible details."""

from __future__ import annotations

from scanner.judging.compliance import STATUSES, compliance_view, status_counts
from scanner.judging.rules import RuleSet
from scanner.model import ScanResult
from scanner.report.common import (
    agency_of,
    counts_by_agency,
    coverage_notes,
    inconclusive_rows,
    sorted_findings,
    strings,
    targets_by_id,
    text,
    top_fixes,
)
from scanner.report.escape import markdown_code, markdown_text, terminal_text
from scanner.report.evidence import evidence_summary
from scanner.report.summary import risk_posture, severity_counts

MAX_DETAILS = 50  # keep the comment well under GitHub's / GitLab's comment size limits
MAX_EVIDENCE = 300  # characters of evidence per finding in a PR comment; the HTML report has it all
_ICON = {"critical": "🟥", "high": "🟧", "medium": "🟨", "low": "🟦", "info": "⬜"}


def render(result: ScanResult, ruleset: RuleSet, lang: str) -> str:
    s = strings(lang)
    counts = severity_counts(result)
    targets = targets_by_id(result)
    posture = risk_posture(result)
    out = [f"## {s['title']}", "", f"**{s['risk_posture']}:** {s['posture_' + posture]}  ",
           f"{s['scan']} `{result.scan_id}` · {result.started_at} · {s['targets']}: {len(result.targets)}", ""]
    out += ["| " + " | ".join(f"{_ICON[k]} {s['sev_' + k]}" for k in counts) + " |",
            "|" + "---:|" * len(counts), "| " + " | ".join(str(n) for n in counts.values()) + " |", ""]
    agencies = counts_by_agency(result)
    if len(agencies) > 1:
        out += [f"| {s['agency']} | " + " | ".join(s["sev_" + k] for k in counts) + " |",
                "|---|" + "---:|" * len(counts)]
        out += [f"| {markdown_text(a or s['no_agency'])} | " + " | ".join(str(n) for n in row.values()) + " |"
                for a, row in agencies.items()]
        out.append("")
    fixes = top_fixes(result)
    if fixes:
        out += [f"### {s['top_fixes']}", "", f"| # | {s['rule']} | {s['severity']} | {s['targets']} | {s['finding']} |",
                "|---:|---|---|---:|---|"]
        out += [f"| {n} | `{fx.rule_id}` | {_ICON[fx.severity.value]} {s['sev_' + fx.severity.value]} | "
                f"{len(fx.targets)} | {markdown_text(text(fx.title, lang))} |" for n, fx in enumerate(fixes, start=1)]
        out.append("")
    else:
        out += [s["no_findings"], ""]
    findings = sorted_findings(result.open_findings())
    if findings:
        out += [f"<details><summary>{s['findings']} ({len(findings)})</summary>", ""]
        for f in findings[:MAX_DETAILS]:
            rule = ruleset.by_id(f.rule_id)
            out.append(f"- {_ICON[f.severity.value]} **{markdown_text(text(f.message, lang))}** — "
                       f"`{markdown_code(f.rule_id)}` `{markdown_code(f.target_id)}` "
                       f"({markdown_text(agency_of(f, targets) or s['no_agency'])}, "
                       f"{s['priority']} {f.priority:.1f})")
            if f.evidence:
                shown = evidence_summary(f.evidence, lang)
                shown = shown if len(shown) <= MAX_EVIDENCE else shown[:MAX_EVIDENCE - 1] + "…"
                out.append(f"  - {s['evidence']}: `{markdown_code(shown)}`")
            if rule:
                out.append(f"  - {s['remediation']}: {terminal_text(getattr(rule.spec.remediation, lang)[0])}")
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
            out.append(f"| {markdown_text(short)} | " + " | ".join(str(c[st]) for st in STATUSES) + " |")
        out += ["", "</details>", ""]
    notes = coverage_notes(result, lang)
    if notes:  # never collapsed: a partial scan must not read as a clean one
        out += [f"### ⚠️ {s['coverage']}", "", s["coverage_intro"], ""]
        out += [f"- `{markdown_code(n.target_id)}` ({markdown_text(n.source)}): {markdown_text(n.text)}" for n in notes]
        out.append("")
    inconclusive = inconclusive_rows(result, lang)
    if inconclusive:
        out += [f"<details><summary>{s['inconclusive']} ({len(inconclusive)})</summary>", ""]
        out += [f"- `{markdown_code(r['target_id'])}` ({markdown_text(r['probe'])}): {markdown_text(r['reason'])}"
                for r in inconclusive]
        out += ["", "</details>", ""]
    out.append(f"<sub>Pindai {result.tool_version} · {s['rulepack']} {result.rulepack_version}</sub>")
    return "\n".join(out) + "\n"
