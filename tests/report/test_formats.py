"""Every format renders in both languages, masks personal data and neutralises hostile evidence."""

from __future__ import annotations

import csv
import io

import pytest
from markdown_it import MarkdownIt

from scanner.judging.rules import RuleSet
from scanner.model import ScanResult
from scanner.report import FORMATS, renderer
from scanner.report.common import strings
from tests.report.fixtures import RAW_NIK

ALL = ("json", "table", "html", "sarif", "junit", "csv", "markdown")


def test_registry_lists_every_format() -> None:
    assert set(ALL) <= set(FORMATS)


@pytest.mark.parametrize("fmt", ALL)
@pytest.mark.parametrize("lang", ["id", "en"])
def test_renders_and_masks(fmt: str, lang: str, result: ScanResult, ruleset: RuleSet) -> None:
    out = renderer(fmt)(result, ruleset, lang)
    assert out.strip()
    assert RAW_NIK not in out


@pytest.mark.parametrize("fmt", ["html", "sarif", "junit", "csv", "markdown", "json"])
def test_empty_scan_renders(fmt: str, ruleset: RuleSet) -> None:
    empty = ScanResult("e0", "2026-01-01T00:00:00+00:00", "2026-01-01T00:00:01+00:00", "0.1.0", ruleset.version, [], [])
    assert renderer(fmt)(empty, ruleset, "id")


def test_strings_are_bilingual() -> None:
    ids, ens = strings("id"), strings("en")
    assert ids.keys() == ens.keys()
    assert all(ids[k] and ens[k] for k in ids)
    with pytest.raises(ValueError):
        strings("fr")


def test_csv_is_excel_friendly(result: ScanResult, ruleset: RuleSet) -> None:
    out = renderer("csv")(result, ruleset, "en")
    assert out.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(out[1:])))
    assert rows[0][:3] == ["Agency", "Target", "Target name"]
    partial_rows = [r for r in rows[1:] if r[rows[0].index("Status")] == "partial"]
    assert len(partial_rows) == len(result.evaluation_errors) > 0  # each error said aloud, one row each
    assert len(rows) == 1 + len(result.findings) + len(partial_rows)
    assert all(len(r) == len(rows[0]) for r in rows)
    evidence = [r[rows[0].index("Evidence (masked)")] for r in rows[1:]]
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r)
    assert any(cell.startswith("'header==HYPERLINK") or "HYPERLINK" in cell for cell in evidence)
    assert rows[1][rows[0].index("Severity")] == "critical"  # most urgent first


def test_csv_localised_headers(result: ScanResult, ruleset: RuleSet) -> None:
    header = renderer("csv")(result, ruleset, "id").splitlines()[0]
    assert "Instansi" in header and "Langkah perbaikan" in header


def test_markdown_comment(result: ScanResult, ruleset: RuleSet) -> None:
    out = renderer("markdown")(result, ruleset, "en")
    assert "| # | Rule | Severity |" in out
    assert "<details><summary>Findings (7)</summary>" in out
    assert "`PND-DB-901`" in out.split("### Top 10 fixes")[1].splitlines()[4]  # highest priority first
    assert "<script>" not in MarkdownIt("commonmark").render(out)  # shown as code text, never as HTML
    assert "Inconclusive (2)" in out
    assert len(out) < 65_000
