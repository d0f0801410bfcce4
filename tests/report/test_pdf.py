"""PDF through headless Chromium: page counts of the management summary (demo and a 100-target fleet,
at most 3 A4 pages) and of a 100-site fleet's full report (at most 60 pages); what print keeps."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner.cli import main
from scanner.report import json_report
from scanner.report.html import render
from scanner.report.management import render_summary
from scanner.report.pdf import chromium, page_count, print_pdf
from tests.report.fixtures import demo_result, fleet_result
from tests.report.webdriver import Browser, available

pytestmark = pytest.mark.skipif(chromium() is None, reason="chromium is not installed")


@pytest.fixture(scope="module")
def fleet() -> tuple[object, object]:
    return fleet_result(100, 20)


def test_demo_summary_fits_on_three_pages(tmp_path: Path, artifacts: Path) -> None:
    result, rules = demo_result()
    pdf = print_pdf(render_summary(result, rules, "id"), artifacts / "summary-demo-id.pdf")
    assert 1 <= page_count(pdf) <= 3


def test_fleet_summary_fits_on_three_pages(fleet: tuple, artifacts: Path) -> None:
    result, rules = fleet
    assert len(result.targets) == 100
    pdf = print_pdf(render_summary(result, rules, "id"), artifacts / "summary-fleet-id.pdf")
    assert 1 <= page_count(pdf) <= 3


def test_fleet_full_report_prints_in_at_most_60_pages(fleet: tuple, artifacts: Path) -> None:
    result, rules = fleet
    assert len({f.target_id for f in result.findings}) == 100
    pdf = print_pdf(render(result, rules, "id"), artifacts / "report-fleet-id.pdf")
    assert page_count(pdf) <= 60


def test_cli_writes_summary_and_pdfs(tmp_path: Path) -> None:
    result, rules = demo_result()
    source = tmp_path / "result.json"
    source.write_text(json_report.render(result, rules, "id"), encoding="utf-8")
    out = {name: tmp_path / name for name in ("s.html", "s.pdf", "r.pdf", "w.xlsx", "f.csv")}
    run = CliRunner().invoke(main, ["report", str(source), "--summary", str(out["s.html"]), "--summary-pdf",
                                    str(out["s.pdf"]), "--pdf", str(out["r.pdf"]), "--xlsx", str(out["w.xlsx"]),
                                    "--csv", str(out["f.csv"]), "--csv-dialect", "id"])
    assert run.exit_code == 0, run.output
    assert all(p.stat().st_size > 0 for p in out.values())
    assert page_count(out["s.pdf"]) <= 3 and page_count(out["r.pdf"]) > 3
    header, first = out["f.csv"].read_text(encoding="utf-8-sig").splitlines()[:2]
    assert header.count(";") >= 10 and ";Kritis;" in first and ",0;" in first  # decimal comma: "100,0"
    verify = CliRunner().invoke(main, ["verify", str(source), str(out["s.html"])])
    assert verify.exit_code == 0, verify.output
    assert CliRunner().invoke(main, ["verify", str(source), str(out["w.xlsx"])]).exit_code == 0


@pytest.mark.skipif(not available(), reason="chromedriver is not installed")
def test_print_keeps_legal_labels_and_why_it_matters(tmp_path: Path) -> None:
    result, rules = demo_result()
    page = tmp_path / "report.html"
    page.write_text(render(result, rules, "id"), encoding="utf-8")
    with Browser() as browser:
        browser.get(page.as_uri())
        browser.cdp("Emulation.setEmulatedMedia", {"media": "print"})
        printed = browser.js("document.querySelectorAll('details').forEach(d => d.open = true);"
                             "return document.body.innerText")
    for words in ("ringkasan, bukan kutipan resmi", "sumber sekunder", "Mengapa ini penting",
                  "Standar Teknis dan Prosedur Keamanan Aplikasi Berbasis Web", "mengikat",
                  "diverifikasi terhadap salinan teks lengkap"):
        assert words in printed, words
