"""The control checklist (K1-K72) as plain data for every report format."""

from __future__ import annotations

from typing import Any

from scanner.judging.checklist import ControlStatus, automation_counts, checklist_counts, checklist_view
from scanner.judging.controls import ControlCatalogue, shipped_controls
from scanner.judging.rules import RuleSet
from scanner.model import ScanResult

MAX_LISTED = 5  # targets named per control; the count says how many more


def _row(row: ControlStatus, ruleset: RuleSet, lang: str) -> dict[str, Any]:
    control = row.control
    titles = {r: getattr(rule.spec.title, lang) for r in row.rules if (rule := ruleset.by_id(r))}
    return {
        "id": control.id, "article": control.article, "title": control.title[lang], "status": row.status,
        "asvs": list(control.asvs), "wstg": list(control.wstg), "cwe": list(control.cwe),
        "rules": row.rules, "findings": row.findings, "finding_targets": row.finding_targets[:MAX_LISTED],
        "finding_targets_more": max(0, len(row.finding_targets) - MAX_LISTED),
        "tested": [{"rule_id": r, "title": titles.get(r, ""), "targets": t} for r, t in sorted(row.tested.items())],
        "untested_rules": row.untested_rules, "manual_test": control.manual_test, "outside": control.outside,
    }


def source_info(catalogue: ControlCatalogue, lang: str) -> dict[str, str]:
    """Title, issuer, year, pages and status of the guide the checklist comes from."""
    src = catalogue.source

    def pick(value: Any) -> str:
        return str(value.get(lang, "")) if isinstance(value, dict) else str(value or "")

    return {"title": pick(src.get("title")), "issuer": pick(src.get("issuer")), "year": pick(src.get("year")),
            "pages": pick(src.get("pages")), "status": pick(src.get("status")), "note": pick(src.get("note"))}


def checklist(result: ScanResult, ruleset: RuleSet, lang: str) -> dict[str, Any]:
    """Statuses of the 72 controls grouped by function, their measured counts and the guide's source."""
    catalogue = shipped_controls()
    rows = checklist_view(result, ruleset, catalogue)
    functions = [{"ayat": f.ayat, "name": f.name[lang], "rows": [
        _row(r, ruleset, lang) for r in rows if f.first <= r.control.number <= f.last]}
        for f in catalogue.functions]
    return {"title": catalogue.title[lang], "short": catalogue.short, "functions": functions,
            "counts": checklist_counts(rows), "capacity": automation_counts(ruleset, catalogue),
            "source": source_info(catalogue, lang)}


def not_tested(controls: dict[str, Any]) -> list[str]:
    """The ids of the controls this scan did not test: the officer's checks and the untested ones."""
    return [r["id"] for f in controls["functions"] for r in f["rows"] if r["status"] in ("manual", "not_tested")]
