"""The audit workbook opens with openpyxl (and LibreOffice when installed); text from scanned systems
stays inert text, never a formula; workpaper rows are one per issue with the affected targets."""

from __future__ import annotations

import csv
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from openpyxl import load_workbook

from scanner.judging.rules import RuleSet
from scanner.model import ScanResult
from scanner.report.xlsx import write_xlsx
from tests.report.fixtures import demo_result, fleet_result

HOSTILE = ['=HYPERLINK("http://attacker.invalid/","klik")', "=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(1,1)",
           "\tTAB=1", "bell\x07and\x00null"]
LIBREOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def _hostile(result: ScanResult) -> ScanResult:
    findings = [replace(f, message={"id": HOSTILE[i % len(HOSTILE)], "en": HOSTILE[i % len(HOSTILE)]},
                        item_key=HOSTILE[(i + 1) % len(HOSTILE)]) for i, f in enumerate(result.findings)]
    targets = [replace(t, name=HOSTILE[i % len(HOSTILE)], agency="=AGENCY()") for i, t in enumerate(result.targets)]
    return replace(result, findings=findings, targets=targets)


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ScanResult, RuleSet]:
    result, rules = demo_result()
    hostile = _hostile(result)
    path = write_xlsx(hostile, rules, "id", tmp_path_factory.mktemp("xlsx") / "audit.xlsx")
    return path, hostile, rules


def test_sheets_and_workpaper_columns(workbook: tuple[Path, ScanResult, RuleSet]) -> None:
    path, result, _ = workbook
    book = load_workbook(path)
    assert book.sheetnames == ["Temuan", "Kertas kerja", "Daftar periksa K1-K72", "Target dan cakupan", "Metadata"]
    header = [c.value for c in book["Kertas kerja"][1]]
    for column in ("Kondisi", "Kriteria", "Sebab", "Akibat", "Rekomendasi", "Tanggapan auditi", "Batas waktu",
                   "Status tindak lanjut"):
        assert column in header
    rules_with_findings = {f.rule_id for f in result.open_findings()}
    assert book["Kertas kerja"].max_row - 1 == len(rules_with_findings)  # one row per issue
    assert book["Daftar periksa K1-K72"].max_row - 1 == 72
    assert book["Temuan"].max_row - 1 == len(result.findings)


def test_hostile_text_is_never_a_formula(workbook: tuple[Path, ScanResult, RuleSet]) -> None:
    path, _, _ = workbook
    book = load_workbook(path)
    seen = set()
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    seen.add(cell.value)
    assert '=HYPERLINK("http://attacker.invalid/","klik")' in seen and "-2+3" in seen and "=AGENCY()" in seen
    assert "belland" + "null" in seen  # characters XML cannot hold are dropped, the rest kept


def test_fleet_workpaper_lists_the_affected_targets(tmp_path: Path) -> None:
    result, rules = fleet_result(20, 4)
    book = load_workbook(write_xlsx(result, rules, "en", tmp_path / "fleet.xlsx"))
    sheet = book["Workpaper"]
    header = [c.value for c in sheet[1]]
    targets = [row[header.index("Targets")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert any(len(str(t).splitlines()) >= 10 for t in targets)


@pytest.mark.skipif(not LIBREOFFICE, reason="LibreOffice is not installed (scripts/install-system-deps.sh)")
def test_libreoffice_opens_it_and_hostile_text_stays_text(workbook: tuple[Path, ScanResult, RuleSet],
                                                           tmp_path: Path) -> None:
    path, _, _ = workbook
    run = subprocess.run([str(LIBREOFFICE), "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                          "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,"
                          "false,-1", "--outdir", str(tmp_path), str(path)],
                         capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    cells = {cell for out in tmp_path.glob("audit*.csv")
             for row in csv.reader(out.read_text(encoding="utf-8").splitlines()) for cell in row}
    assert '=HYPERLINK("http://attacker.invalid/","klik")' in cells  # not evaluated to "klik"
    assert "-2+3" in cells and "=1+1" in cells  # not evaluated to 1 or 2
