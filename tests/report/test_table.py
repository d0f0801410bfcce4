"""The terminal table fits the terminal, colours severities only when asked, and marks new,
suppressed and expired-suppression findings."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from click.testing import CliRunner

from scanner.judging.rules import RuleSet
from scanner.model import ScanResult
from scanner.report.table import NARROW, render

ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.mark.parametrize("width", [60, 80, 120, 200])
def test_no_line_is_wider_than_the_terminal(result: ScanResult, ruleset: RuleSet, width: int) -> None:
    text = render(result, ruleset, "id", width=width)
    assert result.open_findings()
    assert max(len(line) for line in text.splitlines()) <= width
    header = next(line for line in text.splitlines() if "Aturan" in line)
    assert ("Prioritas" in header) == (width >= NARROW)


def test_colour_only_when_asked(result: ScanResult, ruleset: RuleSet) -> None:
    assert not ANSI.search(render(result, ruleset, "en", width=120))
    coloured = render(result, ruleset, "en", width=120, color=True)
    assert ANSI.search(coloured)
    assert max(len(ANSI.sub("", line)) for line in coloured.splitlines()) <= 120


def test_summary_counts_suppressed_new_and_expired(result: ScanResult, ruleset: RuleSet) -> None:
    first, second, *rest = result.findings
    marked = replace(result, findings=[
        replace(first, status="suppressed", suppression={"reason": "x", "owner": "y", "expires": "2027-01-01",
                                                         "expired": False}),
        replace(second, status="open", baseline="new",
                suppression={"reason": "x", "owner": "y", "expires": "2026-01-01", "expired": True}),
        *[replace(f, baseline="known") for f in rest],
    ])
    text = render(marked, ruleset, "en", width=200)
    summary = next(line for line in text.splitlines() if line.startswith("critical:"))
    suppressed = sum(1 for f in marked.findings if f.status == "suppressed")
    assert f"suppressed: {suppressed}" in summary and "suppression expired on: 1" in summary and "new: 1" in summary
    assert "[new] [Suppression expired on 2026-01-01]" in text


def test_piped_scan_output_has_no_colour(tmp_path, monkeypatch) -> None:
    from scanner.cli import main

    (tmp_path / "settings.py").write_text('PASSWORD = "rahasia-sekali-123"\n')
    done = CliRunner().invoke(main, ["scan", "--probe", "code", str(tmp_path), "--no-store"])
    assert done.exit_code == 0 and not ANSI.search(done.output)
