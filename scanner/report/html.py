"""Self-contained HTML report (inline CSS/SVG/JS, works offline, prints to PDF).

``render`` is the standard 3-argument renderer; ``render_with_history`` adds a trend section
against a previous scan. Templates live in reports/templates/ (Jinja2, autoescape on).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from functools import cache
from typing import Any, NamedTuple

import jinja2
from markupsafe import Markup, escape

from scanner.judging.compliance import RequirementStatus, compliance_view, status_counts
from scanner.judging.rules import Rule, RuleSet
from scanner.judging.suppressions import STALE_KEY
from scanner.model import Finding, ScanResult, Severity
from scanner.report.charts import agency_stacks, severity_bars
from scanner.report.common import (
    agency_of,
    counts_by_agency,
    coverage_notes,
    inconclusive_rows,
    observed_facts,
    reference,
    scrub,
    slug,
    sorted_findings,
    strings,
    suppression_view,
    targets_by_id,
    text,
    top_fixes,
    trend,
)
from scanner.report.controls import checklist, not_tested
from scanner.report.evidence import Line, evidence_lines, reproduction
from scanner.report.integrity import sealed
from scanner.report.issues import fleet_view, issues
from scanner.report.summary import risk_posture, severity_counts
from scanner.report.workpaper import number, workpaper_meta
from scanner.resources import templates_dir

PLATFORM_LABELS = {"nginx": "nginx", "apache": "Apache httpd", "laravel": "Laravel", "postgresql": "PostgreSQL",
                   "mariadb": "MariaDB / MySQL", "mysql": "MySQL", "php": "PHP", "iis": "IIS", "django": "Django",
                   "express": "Express (Node.js)", "spring": "Spring", "sql": "SQL"}
MAX_TREND_ROWS = 25


def inline_code(value: str) -> Markup:
    """Escape ``value`` and turn Markdown-style `code` spans (used in remediation steps) into <code>."""
    escaped = str(escape(value))
    return Markup(re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped))


@cache
def environment() -> jinja2.Environment:
    """Jinja2 environment over reports/templates with autoescaping on."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["inline_code"] = inline_code
    return env


def _guidance(rule: Rule | None, cited: list[str], ruleset: RuleSet, lang: str, s: dict[str, str]) -> Markup:
    """Why/how/articles block of one rule and the articles its findings cite, rendered once and reused."""
    articles = [reference(ruleset, ref, lang) for ref in cited]
    spec = rule.spec if rule else None
    return Markup(environment().get_template("partials/guidance.html.j2").render(
        s=s,
        description=getattr(spec.description, lang) if spec else "",
        steps=getattr(spec.remediation, lang) if spec else [],
        snippets=[(PLATFORM_LABELS.get(k.lower(), k), v) for k, v in (spec.snippets.items() if spec else [])],
        articles=articles,
    ))


class FindingRow(NamedTuple):
    """One finding as the template shows it (a tuple: fast attribute access in Jinja)."""

    severity: str
    priority: float
    message: str
    item_key: str
    evidence: list[Line]
    reproduction: list[Line]
    status: str
    suppression: dict[str, Any] | None


def _finding_row(f: Finding, lang: str, repro: list[Line]) -> FindingRow:
    suppression = suppression_view(f.suppression) if f.suppression else None
    return FindingRow(f.severity.value, f.priority, text(f.message, lang), f.item_key,
                      evidence_lines(f.evidence, lang), repro, f.status, suppression)


def _agency_blocks(result: ScanResult, ruleset: RuleSet, lang: str, s: dict[str, str]) -> list[dict[str, Any]]:
    """Findings grouped by agency, then asset (target), then rule; most urgent first."""
    targets = targets_by_id(result)
    rules = {rule.id: rule for rule in ruleset.rules}
    observed = observed_facts(result)
    guidance: dict[tuple[str, ...], Markup] = {}
    tree: dict[str, dict[str, dict[str, list[Finding]]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    for f in sorted_findings([f for f in result.findings if f.status in ("open", "suppressed")]):
        tree[agency_of(f, targets)][f.target_id][f.rule_id].append(f)
    blocks: list[dict[str, Any]] = []
    for agency, assets in tree.items():
        asset_rows: list[dict[str, Any]] = []
        for target_id, groups in assets.items():
            target = targets.get(target_id)
            group_rows: list[dict[str, Any]] = []
            for rule_id, findings in groups.items():
                rule = rules.get(rule_id)
                cited = list(dict.fromkeys(ref for f in findings for ref in f.references))
                key = (rule_id, *cited)
                if key not in guidance:
                    guidance[key] = _guidance(rule, cited, ruleset, lang, s)
                worst = max(findings, key=lambda f: f.severity.rank).severity.value
                group_rows.append({
                    "rule_id": rule_id, "severity": worst, "priority": max(f.priority for f in findings),
                    "title": text(findings[0].title, lang),
                    "findings": [_finding_row(f, lang, reproduction(f, target, observed.get((target_id, f.probe)),
                                                                    rule, s)) for f in findings],
                    "guidance": guidance[key],
                    "open": sum(1 for f in findings if f.status == "open"),
                })
            asset_rows.append({
                "id": target_id, "name": target.name if target else "",
                "kind": target.kind.value if target else "", "exposure": target.exposure.value if target else "",
                "priority": max(float(g["priority"]) for g in group_rows), "groups": group_rows,
            })
        asset_rows.sort(key=lambda a: -float(a["priority"]))
        blocks.append({"name": agency or s["no_agency"], "anchor": "agency-" + slug(agency),
                       "assets": asset_rows, "priority": max(float(a["priority"]) for a in asset_rows)})
    blocks.sort(key=lambda b: -float(b["priority"]))
    shown: set[str] = set()  # a printed copy shows each rule's guidance once, at its first group
    for group in (g for b in blocks for a in b["assets"] for g in a["groups"]):
        group["repeat"] = group["rule_id"] in shown
        shown.add(group["rule_id"])
    return blocks


def _issue_blocks(result: ScanResult, ruleset: RuleSet, lang: str, s: dict[str, str]) -> list[dict[str, Any]]:
    """The fleet view: one entry per rule with its targets, identical findings once (scanner.report.issues)."""
    targets = targets_by_id(result)
    observed = observed_facts(result)
    blocks = issues(result, lang)
    for block in blocks:
        rule = ruleset.by_id(block["rule_id"])
        cited = list(dict.fromkeys(ref for v in block["variants"] for ref in v["finding"].references))
        block["guidance"] = _guidance(rule, cited, ruleset, lang, s)
        for variant in block["variants"]:
            f = variant["finding"]
            repro = reproduction(f, targets.get(f.target_id), observed.get((f.target_id, f.probe)), rule, s)
            variant["row"] = _finding_row(f, lang, repro)
    return blocks


def _compliance(result: ScanResult, ruleset: RuleSet, lang: str, s: dict[str, str]) -> list[dict[str, Any]]:
    """Catalogues in order of precedence (binding Indonesian law by hierarchy, then the rest)."""
    out: list[dict[str, Any]] = []
    for cat_id, rows in compliance_view(result, ruleset).items():
        catalogue = ruleset.regulations.catalogues[cat_id]
        out.append({
            "id": cat_id, "short": catalogue.short, "title": catalogue.title[lang], "url": catalogue.source_url,
            "note": catalogue.note.get(lang, "") if catalogue.note else "",
            "checked_against": catalogue.checked_against.get(lang, ""),
            "kind": s["ref_foreign"] if catalogue.foreign_law else s["ref_binding"] if catalogue.binding
            else s["ref_voluntary"],
            "counts": status_counts(rows),
            "rows": [_matrix_row(r, ruleset, lang) for r in rows],
        })
    return out


MAX_LISTED_TARGETS = 5


def _listed(key: str, targets: list[str]) -> dict[str, Any]:
    """The first few targets and how many more (a fleet's matrix row does not list a hundred targets)."""
    return {key: targets[:MAX_LISTED_TARGETS], key + "_more": max(0, len(targets) - MAX_LISTED_TARGETS)}


def _matrix_row(r: RequirementStatus, ruleset: RuleSet, lang: str) -> dict[str, Any]:
    return {"id": r.article.id, "title": r.article.title[lang], "text": r.article.text[lang],
            "ref": reference(ruleset, r.article.ref, lang), "url": r.article.source_url, "status": r.status,
            "rules": r.rules, "findings": r.findings, "observed": r.observed,
            "tested": sorted(r.tested),
            **_listed("tested_targets", sorted({t for ts in r.tested.values() for t in ts})),
            "untested": r.untested_rules}


def _trend(result: ScanResult, previous: ScanResult, lang: str) -> dict[str, Any]:
    t = trend(result, previous)
    now = severity_counts(result)
    return {
        "previous_scans": t.previous_scans,
        "rows": [{"severity": sev, "before": t.previous_counts[sev], "now": now[sev],
                  "delta": now[sev] - t.previous_counts[sev]} for sev in now],
        "counts": {"new": len(t.new), "resolved": len(t.resolved), "unchanged": len(t.unchanged),
                   "not_rescanned": len(t.not_rescanned)},
        "new": [_brief(f, lang) for f in t.new[:MAX_TREND_ROWS]],
        "resolved": [_brief(f, lang) for f in t.resolved[:MAX_TREND_ROWS]],
        "not_rescanned": [_brief(f, lang) for f in t.not_rescanned[:MAX_TREND_ROWS]],
    }


def _brief(f: Finding, lang: str) -> dict[str, Any]:
    return {"severity": f.severity.value, "rule_id": f.rule_id, "target_id": f.target_id,
            "message": text(f.message, lang)}


def _target_rows(result: ScanResult) -> list[dict[str, Any]]:
    """Every scanned target with its open-finding count and whether it could be observed."""
    open_counts = Counter(f.target_id for f in result.open_findings())
    unobserved = {f.target_id for f in result.inconclusive()}
    return [{"id": t.id, "name": t.name, "agency": t.agency, "kind": t.kind.value, "exposure": t.exposure.value,
             "declared_at": t.declared_at, "findings": open_counts.get(t.id, 0), "inconclusive": t.id in unobserved}
            for t in sorted(result.targets, key=lambda t: (t.agency, t.id))]


def context(result: ScanResult, ruleset: RuleSet, lang: str, previous: ScanResult | None = None,
            full_matrix: bool = False) -> dict[str, Any]:
    """Everything the template needs, as plain data (PII already masked).

    The compliance matrix lists only articles with findings or tests; ``full_matrix`` adds every
    article (untested, manual, context) as an appendix.
    """
    s = strings(lang)
    counts = severity_counts(result)
    sev_labels = {sev.value: s["sev_" + sev.value] for sev in Severity}
    agencies = counts_by_agency(result)
    agency_labels = {(a or s["no_agency"]): c for a, c in agencies.items()}
    fixes = [{"rule_id": fx.rule_id, "severity": fx.severity.value, "title": text(fx.title, lang),
              "findings": len(fx.findings), "targets": fx.targets, "priority": fx.max_priority}
             for fx in top_fixes(result)]
    profile = result.profile or {}
    unobserved = {f.target_id for f in result.inconclusive()}
    inconclusive_by_agency = Counter((t.agency or "") for t in result.targets if t.id in unobserved)
    scope = [str(x) for x in profile.get("scope", [])] or [t.id for t in result.targets[:20]]
    compliance = _compliance(result, ruleset, lang, s)
    controls = checklist(result, ruleset, lang)
    fleet = fleet_view(result)
    untested = not_tested(controls)
    return {
        "wp": workpaper_meta(result, lang, untested), "num": lambda value: number(float(value), lang),
        "s": s, "lang": lang, "result": result, "counts": counts, "total": sum(counts.values()),
        "suppressed": sum(1 for f in result.findings if f.status == "suppressed"),
        "inline_suppressed": sum(1 for f in result.findings if f.status == "suppressed" and (f.suppression or {}).get(
            "inline")),
        "stale_suppressions": (result.profile or {}).get(STALE_KEY, []),
        "posture": risk_posture(result), "sev_labels": sev_labels,
        "agencies": agencies, "fixes": fixes, "inconclusive_by_agency": inconclusive_by_agency,
        "severity_chart": severity_bars(counts, sev_labels, s["by_severity"]),
        "agency_chart": agency_stacks(agency_labels, sev_labels, s["by_agency"]) if agencies else Markup(""),
        "compliance": compliance, "full_matrix": full_matrix, "checklist": controls,
        "compliance_hidden": sum(1 for c in compliance for r in c["rows"] if not r["observed"]),
        "issues": _issue_blocks(result, ruleset, lang, s) if fleet else None,
        "blocks": [] if fleet else _agency_blocks(result, ruleset, lang, s),
        "trend": _trend(result, previous, lang) if previous is not None else None,
        "inconclusive": inconclusive_rows(result, lang),
        "coverage": coverage_notes(result, lang),
        "targets": _target_rows(result),
        "errors": [{"rule_id": e.rule_id, "target_id": e.target_id, "message": str(scrub(e.message))}
                   for e in result.evaluation_errors],
        "meta": {
            "scope": ", ".join(scope),
            "profile": " ".join(str(x) for x in (profile.get("name"), profile.get("path")) if x),
            "agency": profile.get("agency"),
            "targets": len(result.targets), "evaluated_rules": len(result.evaluated_rules),
            "eol_table": _eol_table(result),
            "advisories": _advisory_data(result),
        },
    }


def _eol_table(result: ScanResult) -> dict[str, Any] | None:
    """The end-of-life table the scan judged versions against: its date and age at scan time."""
    for facts in result.facts:
        for key in ("software", "dependencies"):
            section = facts.data.get(key) if isinstance(facts.data, dict) else None
            table = section.get("eol_table") if isinstance(section, dict) else None
            if isinstance(table, dict) and table.get("retrieved"):
                return table
    return None


def _advisory_data(result: ScanResult) -> dict[str, Any] | None:
    """The OSV advisory datasets the dependency check used, and the ecosystems it could not test."""
    used: dict[str, dict[str, Any]] = {}
    missing: set[str] = set()
    for facts in result.facts:
        section = facts.data.get("dependencies") if isinstance(facts.data, dict) else None
        if not isinstance(section, dict):
            continue
        for dataset in section.get("advisory_data") or []:
            used.setdefault(str(dataset.get("ecosystem")), dataset)
        missing.update(str(e) for e in section.get("untested_ecosystems") or [])
    if not used and not missing:
        return None
    return {"used": [used[k] for k in sorted(used)], "missing": sorted(missing - used.keys())}


def render_with_history(result: ScanResult, ruleset: RuleSet, lang: str, previous: ScanResult | None,
                        full_matrix: bool = False) -> str:
    """The HTML report, with a trend section when ``previous`` is given and the full compliance
    matrix as an appendix when ``full_matrix`` is set."""
    page = context(result, ruleset, lang, previous, full_matrix)
    return sealed(environment().get_template("report.html.j2").render(**page))


def render(result: ScanResult, ruleset: RuleSet, lang: str) -> str:
    """The HTML report of ``result`` in ``lang`` (``id`` or ``en``)."""
    return render_with_history(result, ruleset, lang, None)
