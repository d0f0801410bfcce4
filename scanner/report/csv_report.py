"""CSV for spreadsheets: one row per finding, UTF-8 with BOM so Excel detects the encoding.

After the findings, one row with status ``partial`` per coverage note (a cap that cut an
observation short, a rule that could not be evaluated): what was not checked is said aloud.

Cells that a spreadsheet would treat as a formula (starting with ``= + - @``, tab or CR) are
prefixed with an apostrophe: evidence comes from scanned systems and must not run in Excel.
"""

from __future__ import annotations

import csv
import io

from scanner.judging.rules import RuleSet
from scanner.model import ScanResult
from scanner.report.common import (
    agency_of,
    coverage_notes,
    reference_line,
    sorted_findings,
    strings,
    targets_by_id,
    text,
)
from scanner.report.evidence import evidence_summary

BOM = "\ufeff"
COLUMNS = ("agency", "target", "target_name", "target_kind", "rule", "title", "severity", "priority", "status",
           "item", "message", "evidence", "regulations", "remediation", "fingerprint", "scan_id", "scan_time")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """Stringify a cell and neutralise spreadsheet formulas."""
    cell = "" if value is None else str(value)
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def render(result: ScanResult, ruleset: RuleSet, lang: str) -> str:
    return render_dialect(result, ruleset, lang, "intl")


def render_dialect(result: ScanResult, ruleset: RuleSet, lang: str, dialect: str) -> str:
    """``intl``: comma-separated, decimal point, severity keys; ``id`` (Indonesian spreadsheets):
    semicolon-separated, decimal comma, severities and statuses in the report language."""
    s = strings(lang)
    local = dialect == "id"
    targets = targets_by_id(result)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if local else ",", lineterminator="\r\n")
    writer.writerow([s[f"col_{c}"] for c in COLUMNS])
    for f in sorted_findings(result.findings):
        target = targets.get(f.target_id)
        rule = ruleset.by_id(f.rule_id)
        steps = getattr(rule.spec.remediation, lang) if rule else []
        row = [
            agency_of(f, targets) or s["no_agency"], f.target_id, target.name if target else "",
            target.kind.value if target else "", f.rule_id, text(f.title, lang),
            s["sev_" + f.severity.value] if local else f.severity.value,
            f"{f.priority:.1f}".replace(".", ",") if local else f"{f.priority:.1f}",
            s.get("fstatus_" + f.status, f.status) if local else f.status, f.item_key, text(f.message, lang),
            evidence_summary(f.evidence, lang),
            "; ".join(reference_line(ruleset, ref, lang) for ref in f.references),
            " | ".join(f"{n}. {step}" for n, step in enumerate(steps, start=1)),
            f.fingerprint, result.scan_id, result.started_at,
        ]
        writer.writerow([safe_cell(v) for v in row])
    for note in coverage_notes(result, lang):  # what was not checked: one "partial" row per note
        target = targets.get(note.target_id)
        rule_id = note.source if note.kind == "evaluation_error" else ""
        row = [(target.agency if target else "") or s["no_agency"], note.target_id, target.name if target else "",
               target.kind.value if target else "", rule_id, s["coverage"], "", "", "partial", "", note.text,
               "", "", "", "", result.scan_id, result.started_at]
        writer.writerow([safe_cell(v) for v in row])
    return BOM + buffer.getvalue()
