"""The audit workbook (openpyxl): findings, workpaper rows, the control checklist, targets and metadata.

Workpaper rows follow the APIP finding format (Kondisi, Kriteria, Sebab, Akibat, Rekomendasi,
Tanggapan auditi, Batas waktu, Status tindak lanjut), one row per issue (rule) with the targets it
affects. Sebab, Tanggapan auditi and Batas waktu are left for the auditor and the auditee: a scanner
does not know an organisation's causes or deadlines.

Every text cell is written as a string cell: text from a scanned system (``=HYPERLINK(…)``,
``=cmd|…``) stays inert text in Excel and LibreOffice, never a formula. Characters XML cannot hold
are dropped.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from scanner.judging.rules import RuleSet
from scanner.model import Finding, ScanResult
from scanner.report.common import (
    agency_of,
    coverage_notes,
    reference_line,
    sorted_findings,
    strings,
    targets_by_id,
    text,
)
from scanner.report.controls import checklist, not_tested
from scanner.report.evidence import evidence_summary
from scanner.report.workpaper import workpaper_meta

MAX_CELL = 32_000  # Excel's limit is 32,767 characters per cell


def _cell_text(value: object) -> str:
    cell = "" if value is None else str(value)
    cell = ILLEGAL_CHARACTERS_RE.sub("", cell.encode("utf-8", "replace").decode("utf-8"))
    return cell if len(cell) <= MAX_CELL else cell[: MAX_CELL - 1] + "…"


def _append(sheet: Worksheet, row: list[object]) -> None:
    """Append one row; numbers stay numbers, everything else is a string cell (never a formula)."""
    sheet.append([v if isinstance(v, int | float) and not isinstance(v, bool) else _cell_text(v) for v in row])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def _header(sheet: Worksheet, names: list[str], widths: list[int]) -> None:
    _append(sheet, list(names))
    for column, (cell, width) in enumerate(zip(sheet[1], widths, strict=True), start=1):
        cell.font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A2"


def _wrap(sheet: Worksheet) -> None:
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def _findings(sheet: Worksheet, result: ScanResult, ruleset: RuleSet, lang: str, s: dict[str, str]) -> None:
    targets = targets_by_id(result)
    _header(sheet, [s["agency"], s["target"], s["col_rule"], s["col_title"], s["severity"], s["priority"],
                    s["col_status"], s["item"], s["message"], s["evidence"], s["control"], s["col_regulations"],
                    s["col_fingerprint"]], [22, 34, 14, 40, 10, 9, 11, 24, 50, 50, 14, 60, 34])
    for f in sorted_findings(result.findings):
        rule = ruleset.by_id(f.rule_id)
        _append(sheet, [agency_of(f, targets) or s["no_agency"], f.target_id, f.rule_id, text(f.title, lang),
                        s["sev_" + f.severity.value], f.priority, s.get("fstatus_" + f.status, f.status),
                        f.item_key, text(f.message, lang), evidence_summary(f.evidence, lang),
                        ", ".join(rule.spec.controls) if rule else "",
                        "; ".join(reference_line(ruleset, ref, lang) for ref in f.references), f.fingerprint])
    _wrap(sheet)


def _workpaper(sheet: Worksheet, result: ScanResult, ruleset: RuleSet, lang: str, s: dict[str, str],
               controls: dict[str, Any]) -> None:
    """One row per issue (rule) with every target it affects."""
    titles = {r["id"]: r["title"] for f in controls["functions"] for r in f["rows"]}
    targets = targets_by_id(result)
    _header(sheet, [s["wp_no"], s["col_rule"], s["severity"], s["wp_kondisi"], s["wp_kriteria"], s["wp_sebab"],
                    s["wp_akibat"], s["wp_rekomendasi"], s["wp_tanggapan"], s["wp_batas_waktu"], s["wp_status_tl"],
                    s["targets"]],
            [5, 14, 10, 60, 60, 30, 50, 60, 30, 14, 18, 50])
    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for f in sorted_findings(result.open_findings()):
        by_rule[f.rule_id].append(f)
    for number, (rule_id, findings) in enumerate(by_rule.items(), start=1):
        rule = ruleset.by_id(rule_id)
        affected = list(dict.fromkeys(f.target_id for f in findings))
        messages = list(dict.fromkeys(text(f.message, lang) for f in findings))
        condition = s["wp_condition"].format(title=text(findings[0].title, lang), n=len(findings), t=len(affected),
                                             a=len({agency_of(f, targets) for f in findings}))
        condition += "\n" + "\n".join(f"- {m}" for m in messages[:5])
        if len(messages) > 5:
            condition += "\n" + s["wp_more"].format(n=len(messages) - 5)
        criteria = [f"{k} {titles.get(k, '')} ({s['ref_secondary']})" for k in (rule.spec.controls if rule else [])]
        criteria += [reference_line(ruleset, ref, lang) for ref in dict.fromkeys(r for f in findings
                                                                                 for r in f.references)]
        steps = getattr(rule.spec.remediation, lang) if rule else []
        _append(sheet, [number, rule_id, s["sev_" + max(findings, key=lambda f: f.severity.rank).severity.value],
                        condition, "\n".join(criteria), s["wp_cause_hint"],
                        getattr(rule.spec.description, lang) if rule else "",
                        "\n".join(f"{n}. {step}" for n, step in enumerate(steps, start=1)), "", "",
                        s["fstatus_open"], "\n".join(affected)])
    _wrap(sheet)


def _checklist(sheet: Worksheet, s: dict[str, str], controls: dict[str, Any]) -> None:
    _header(sheet, [s["control"], s["control_article"], s["paraphrase"], "ASVS 4.0.3", "WSTG", "CWE/CAPEC",
                    s["status"], s["covering_rules"], s["findings"], s["control_tested_part"],
                    s["control_officer_test"]], [8, 12, 60, 16, 24, 24, 26, 30, 9, 50, 24])
    for function in controls["functions"]:
        for r in function["rows"]:
            tested = "; ".join(f"{t['rule_id']} {t['title']}" for t in r["tested"])
            _append(sheet, [r["id"], r["article"], r["title"], ", ".join(r["asvs"]), ", ".join(r["wstg"]),
                            ", ".join(r["cwe"]), s["ck_status_" + r["status"]], ", ".join(r["rules"]), r["findings"],
                            tested, r["manual_test"] if r["status"] not in ("finding", "no_findings") else ""])
    _wrap(sheet)


def _targets(sheet: Worksheet, result: ScanResult, lang: str, s: dict[str, str]) -> None:
    _header(sheet, [s["target"], s["wp_name"], s["agency"], s["kind"], s["exposure"], s["open_findings"],
                    s["wp_observed"], s["coverage"]], [40, 20, 24, 10, 12, 10, 30, 60])
    open_counts: dict[str, int] = defaultdict(int)
    for f in result.open_findings():
        open_counts[f.target_id] += 1
    observed: dict[str, list[str]] = defaultdict(list)
    for facts in result.facts:
        observed[facts.target_id].append(f"{facts.probe}: {facts.status}")
    notes: dict[str, list[str]] = defaultdict(list)
    for note in coverage_notes(result, lang):
        notes[note.target_id].append(f"{note.source}: {note.text}")
    for t in result.targets:
        _append(sheet, [t.id, t.name, t.agency or s["no_agency"], t.kind.value, t.exposure.value,
                        open_counts[t.id], ", ".join(observed[t.id]), "\n".join(notes[t.id])])
    _wrap(sheet)


def _metadata(sheet: Worksheet, result: ScanResult, lang: str, s: dict[str, str], wp: dict[str, Any],
              controls: dict[str, Any]) -> None:
    _header(sheet, [s["wp_field"], s["wp_value"]], [36, 110])
    source = controls["source"]
    for key, value in [
        (s["scan_id"], result.scan_id), (s["started"], wp["started"]), (s["finished"], wp["finished"]),
        (s["wp_timezone"], wp["timezone"]), (s["wp_operator"], wp["operator"] or s["wp_not_recorded"]),
        (s["wp_unit"], wp["unit"]), (s["wp_authorisation"], wp["authorisation"] or s["wp_not_recorded"]),
        (s["wp_host"], wp["host"] or s["wp_not_recorded"]), (s["wp_method"], f"{s['wp_method_basis']} {wp['method']}"),
        (s["tool_version"], result.tool_version), (s["rulepack"], result.rulepack_version),
        (s["wp_not_tested"], wp["not_tested"]), (s["wp_severity"], wp["severity_scoring"]),
        (s["wp_priority"], wp["priority_scoring"]),
        (s["checklist_source"], f"{source['title']} — {source['issuer']}; {source['year']}; {source['pages']} "
                                f"({s['ref_secondary']}). {source['note']}"),
        (s["wp_result_sha256"], wp["result_mark"] + wp["result_sha256"]),
    ]:
        _append(sheet, [key, value])
    _wrap(sheet)


def write_xlsx(result: ScanResult, ruleset: RuleSet, lang: str, path: Path) -> Path:
    """Write the workbook of ``result`` to ``path``."""
    s = strings(lang)
    controls = checklist(result, ruleset, lang)
    untested = not_tested(controls)
    wp = workpaper_meta(result, lang, untested)
    book = Workbook()
    sheets = [book.active, *(book.create_sheet() for _ in range(4))]
    for sheet, key in zip(sheets, ("xl_findings", "xl_workpaper", "xl_checklist", "xl_targets", "xl_metadata"),
                          strict=True):
        if sheet is not None:
            sheet.title = s[key]
    findings, workpaper, checklist_sheet, targets, metadata = sheets
    assert findings and workpaper and checklist_sheet and targets and metadata
    _findings(findings, result, ruleset, lang, s)
    _workpaper(workpaper, result, ruleset, lang, s, controls)
    _checklist(checklist_sheet, s, controls)
    _targets(targets, result, lang, s)
    _metadata(metadata, result, lang, s, wp, controls)
    book.properties.title = s["title"]
    book.properties.creator = f"Pindai {result.tool_version}"
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def integrity_text(path: Path) -> str:
    """The workbook's metadata cells as text, for ``pindai verify`` (it names the result's SHA-256)."""
    book = load_workbook(path, read_only=True)
    sheet = book.worksheets[-1]
    return "\n".join(" ".join(str(c) for c in row if c is not None) for row in sheet.iter_rows(values_only=True))
