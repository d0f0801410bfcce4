"""Terminal table of findings (rich), most urgent first.

Cells are ``rich.text.Text`` objects, never markup strings: a ``[/]`` in a Server header or
column name stays text, and control characters (ANSI, OSC-8 links) are removed before printing.
"""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table
from rich.text import Text

from scanner.model import ScanResult
from scanner.report.common import coverage_notes, inconclusive_row, scrub, strings
from scanner.report.escape import terminal_text
from scanner.report.summary import severity_counts
from scanner.rules import RuleSet

_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan", "info": "dim"}
_HEAD = {
    "id": ("Prioritas", "Tingkat", "Aturan", "Target", "Temuan"),
    "en": ("Priority", "Severity", "Rule", "Target", "Finding"),
}
_INCONCLUSIVE = {"id": "Tidak dapat disimpulkan", "en": "Inconclusive"}
_NONE = {"id": "Tidak ada temuan.", "en": "No findings."}


def _plain(value: object) -> Text:
    """A table cell that shows ``value`` literally: no markup, no control characters."""
    return Text(terminal_text(scrub(str(value))))


def render(result: ScanResult, ruleset: RuleSet, lang: str) -> str:
    """Render findings, inconclusive observations and coverage notes as text tables."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=140, force_terminal=False, color_system=None)
    findings = result.open_findings()
    if findings:
        table = Table(*_HEAD[lang], show_lines=False)
        for f in findings:
            sev = f.severity.value
            table.add_row(f"{f.priority:.1f}", Text(sev, style=_STYLE[sev]), _plain(f.rule_id), _plain(f.target_id),
                          _plain(f.message[lang]))
        console.print(table)
    else:
        console.print(Text(_NONE[lang]))
    console.print(Text(", ".join(f"{sev}: {n}" for sev, n in severity_counts(result).items())))
    inconclusive = result.inconclusive()
    if inconclusive:
        table = Table("Target", "Probe", _INCONCLUSIVE[lang])
        for observation in inconclusive:
            table.add_row(_plain(observation.target_id), _plain(observation.probe),
                          _plain(inconclusive_row(observation, lang)["reason"]))
        console.print(table)
    notes = coverage_notes(result, lang)
    if notes:
        s = strings(lang)
        table = Table("Target", f"{s['probe']} / {s['rule']}", s["coverage"])
        for note in notes:
            table.add_row(_plain(note.target_id), _plain(note.source), _plain(note.text))
        console.print(table)
    return buffer.getvalue()
