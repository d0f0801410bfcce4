"""Terminal table of findings (rich), most urgent first.

Cells are ``rich.text.Text`` objects, never markup strings: a ``[/]`` in a Server header or
column name stays text, and control characters (ANSI, OSC-8 links) are removed before printing.
"""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table
from rich.text import Text

from scanner.judging.rules import RuleSet
from scanner.model import Finding, ScanResult
from scanner.report.common import coverage_notes, inconclusive_row, scrub, strings
from scanner.report.escape import terminal_text
from scanner.report.summary import FULL, NONE, PARTIAL, assessment, not_fully_assessed, severity_counts
from scanner.report.workpaper import number

_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan", "info": "dim"}
_HEAD = {
    "id": ("Prioritas", "Tingkat", "Aturan", "Target", "Temuan"),
    "en": ("Priority", "Severity", "Rule", "Target", "Finding"),
}
_INCONCLUSIVE = {"id": "Tidak dapat disimpulkan", "en": "Inconclusive"}
_NONE = {  # the opening line of a scan without open findings, by how much of it was assessed
    FULL: {"id": "Tidak ada temuan.", "en": "No findings."},
    PARTIAL: {"id": "Tidak ada temuan pada bagian yang teramati, tetapi {n} dari {total} target tidak dapat dinilai "
                    "sepenuhnya: hasilnya sebagian, bukan berarti aman.",
              "en": "No findings in what was observed, but {n} of {total} targets could not be fully assessed: "
                    "the result is partial, not safe."},
    NONE: {"id": "Tidak dapat dinilai: tidak ada target yang berhasil diamati; tidak ada temuan bukan berarti aman.",
           "en": "Not assessed: no target could be observed; no findings does not mean safe."},
}


def _plain(value: object) -> Text:
    """A table cell that shows ``value`` literally: no markup, no control characters."""
    return Text(terminal_text(scrub(str(value))))


NARROW = 100  # below this many columns the priority column is left out and the rest fold


def _marks(f: Finding, lang: str) -> str:
    """``[baru]`` for a finding not in the --baseline, and an expired suppression, before the message."""
    s = strings(lang)
    marks = [f"[{s['new'].lower()}]"] if f.baseline == "new" else []
    if f.suppression and f.suppression.get("expired"):
        marks.append(f"[{s['suppression_expired']} {f.suppression.get('expires', '')}]")
    return " ".join(marks) + " " if marks else ""


def _opening(result: ScanResult, lang: str) -> str:
    """What a scan without open findings says first: never "no findings" alone when a target was not
    observed in full."""
    n = len(not_fully_assessed(result))
    return _NONE[assessment(result)][lang].format(n=n, total=len(result.targets))


def _summary(result: ScanResult, lang: str) -> str:
    s = strings(lang)
    parts = [f"{s['sev_' + sev].lower()}: {n}" for sev, n in severity_counts(result).items()]
    suppressed = sum(1 for f in result.findings if f.status == "suppressed")
    expired = sum(1 for f in result.open_findings() if f.suppression and f.suppression.get("expired"))
    inline = sum(1 for f in result.findings if f.status == "suppressed" and (f.suppression or {}).get("inline"))
    if suppressed or expired:
        parts.append(f"{s['suppressed'].lower()}: {suppressed}" + (f" (# nosec: {inline})" if inline else ""))
    if expired:
        parts.append(f"{s['suppression_expired'].lower()}: {expired}")
    if any(f.baseline for f in result.findings):
        parts.append(f"{s['new'].lower()}: {sum(1 for f in result.open_findings() if f.baseline == 'new')}")
    return ", ".join(parts)


def render(result: ScanResult, ruleset: RuleSet, lang: str, *, width: int = 140, color: bool = False) -> str:
    """Render findings, inconclusive observations and coverage notes as text tables ``width`` columns
    wide (cells fold; no line is longer), severities in colour when ``color``."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=color, color_system="standard" if color else None,
                      no_color=not color)
    findings = result.open_findings()
    labels = strings(lang)
    if findings:
        narrow = width < NARROW
        head = _HEAD[lang][1:] if narrow else _HEAD[lang]
        table = Table(*head, show_lines=False)
        table.columns[head.index(_HEAD[lang][1])].no_wrap = True  # severity words stay whole
        for f in findings:
            sev = f.severity.value
            cells = [Text(labels["sev_" + sev], style=_STYLE[sev]), _plain(f.rule_id), _plain(f.target_id),
                     _plain(_marks(f, lang) + f.message[lang])]
            if not narrow:
                cells.insert(0, Text(number(f.priority, lang)))
            table.add_row(*cells)
        console.print(table)
    else:
        console.print(Text(_opening(result, lang)))
    console.print(Text(_summary(result, lang)))
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
