"""Terminal table of findings (rich), most urgent first."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table

from scanner.model import ScanResult
from scanner.report.common import inconclusive_row, scrub
from scanner.report.summary import severity_counts
from scanner.rules import RuleSet

_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan", "info": "dim"}
_HEAD = {
    "id": ("Prioritas", "Tingkat", "Aturan", "Target", "Temuan"),
    "en": ("Priority", "Severity", "Rule", "Target", "Finding"),
}
_INCONCLUSIVE = {"id": "Tidak dapat disimpulkan", "en": "Inconclusive"}
_NONE = {"id": "Tidak ada temuan.", "en": "No findings."}


def render(result: ScanResult, ruleset: RuleSet, lang: str) -> str:
    """Render findings and inconclusive observations as text tables."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=140, force_terminal=False, color_system=None)
    findings = result.open_findings()
    if findings:
        table = Table(*_HEAD[lang], show_lines=False)
        for f in findings:
            sev = f.severity.value
            table.add_row(f"{f.priority:.1f}", f"[{_STYLE[sev]}]{sev}[/]", f.rule_id, f.target_id,
                          str(scrub(f.message[lang])))
        console.print(table)
    else:
        console.print(_NONE[lang])
    counts = ", ".join(f"{sev}: {n}" for sev, n in severity_counts(result).items())
    console.print(counts)
    inconclusive = result.inconclusive()
    if inconclusive:
        table = Table("Target", "Probe", _INCONCLUSIVE[lang])
        for observation in inconclusive:
            table.add_row(observation.target_id, observation.probe, inconclusive_row(observation, lang)["reason"])
        console.print(table)
    return buffer.getvalue()
