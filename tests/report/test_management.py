"""The management summary: posture, top risks, per Perangkat Daerah, checklist counts, trend and
overdue follow-ups, all in Indonesian with local time; write_summary is the entry point for
scheduled per-agency runs."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from scanner.judging.rules import RuleSet
from scanner.model import ScanResult
from scanner.report.integrity import report_intact, result_digest_in
from scanner.report.management import render_summary, write_summary
from tests.report.fixtures import demo_result


def test_summary_in_indonesian_with_counts_agencies_and_local_time() -> None:
    result, rules = demo_result()
    page = render_summary(result, rules, "id")
    assert "Ringkasan untuk pimpinan" in page and "Kritis" in page and "Per Perangkat Daerah" in page
    assert "1 Desember 2026 pukul 15.00 WIB" in page
    assert "Terukur pada pemindaian ini: 29 kontrol dengan temuan" in page
    assert "Pemindaian yang bersih bukan bukti kepatuhan hukum" in page
    assert report_intact(page) is True and result_digest_in(page)


def test_trend_and_overdue_follow_ups(result: ScanResult, previous: ScanResult, ruleset: RuleSet) -> None:
    expired = [replace(f, suppression={"reason": "diterima", "expires": "2026-01-01", "expired": True})
               if f.status == "open" and f.severity.value == "critical" else f for f in result.findings]
    page = render_summary(replace(result, findings=expired), ruleset, "id", previous)
    assert "Dibanding pemindaian 000000prev01" in page
    assert "temuan dengan penerimaan risiko yang sudah lewat batas waktu" in page


def test_write_summary_writes_the_file(tmp_path: Path) -> None:
    result, rules = demo_result()
    path = write_summary(result, rules, tmp_path / "agency" / "ringkasan.html", "en")
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert "Management summary" in path.read_text(encoding="utf-8")
