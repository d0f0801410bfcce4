"""HTML report: self-contained, bilingual, accessible structure, per-agency split, trend."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scanner.judging.rules import RuleSet
from scanner.model import ScanResult
from scanner.report.agencies import split_by_agency, write_per_agency
from scanner.report.common import strings
from scanner.report.html import render, render_with_history
from tests.report.fixtures import RAW_NIK


@pytest.fixture
def html_en(result: ScanResult, ruleset: RuleSet) -> str:
    return render(result, ruleset, "en")


def test_self_contained(html_en: str) -> None:
    assert not re.search(r"<link\b|<script[^>]+src=|<img[^>]+src=\"http|@import|url\(", html_en, re.I)
    assert "<style>" in html_en and "<script>" in html_en and "<svg" in html_en
    assert "Content-Security-Policy" in html_en
    for href in re.findall(r'href="([^"]+)"', html_en):  # only in-page anchors and regulation sources
        assert href.startswith(("#", "https://peraturan.", "https://jdih.", "https://")), href


def test_escapes_hostile_evidence(html_en: str) -> None:
    assert "<script>alert" not in html_en
    assert "&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;" in html_en
    assert RAW_NIK not in html_en and "3174********0001" in html_en


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_label_in_language(lang: str, result: ScanResult, ruleset: RuleSet) -> None:
    out = render(result, ruleset, lang)
    s = strings(lang)
    assert f'<html lang="{lang}">' in out
    for key in ("exec_summary", "compliance", "findings_by_agency", "metadata", "top_fixes", "inconclusive"):
        assert s[key] in out.replace("&amp;", "&")
    other = strings("en" if lang == "id" else "id")
    assert other["exec_summary"] not in out


def test_sections_and_accessibility(html_en: str) -> None:
    for anchor in ("summary", "compliance", "findings", "metadata"):
        assert f'id="{anchor}"' in html_en
    assert html_en.count("<h1") == 1
    assert 'scope="col"' in html_en and 'scope="row"' in html_en
    assert 'role="img"' in html_en and "<title id=\"chart-sev\">" in html_en
    assert '<label for="q">' in html_en and 'name="sev" value="critical"' in html_en
    assert "@media print" in html_en


def test_content(html_en: str) -> None:
    assert "Dinas Kesehatan" in html_en and "Disdukcapil" in html_en
    assert "ssl_protocols TLSv1.2 TLSv1.3;" in html_en  # nginx snippet
    assert "Disable SSLv3, TLS 1.0 and TLS 1.1." in html_en  # remediation step
    assert "Old protocols can be intercepted" in html_en  # why it matters
    assert "timed out: the server did not answer in time" in html_en  # inconclusive reason, localised
    assert "connection timed out after 10 s" in html_en  # and the recorded detail
    assert "Ditangani oleh WAF pusat" in html_en  # suppression reason
    assert 'class="st st-finding"' in html_en and "PASS" not in html_en and "LULUS" not in html_en
    assert html_en.index("NIK stored unencrypted") < html_en.index("HSTS header missing")  # priority order
    assert "*.example.go.id" in html_en  # scope


def test_trend(result: ScanResult, previous: ScanResult, ruleset: RuleSet) -> None:
    out = render_with_history(result, ruleset, "en", previous)
    assert 'id="trend"' in out and "000000prev01" in out
    trend = out[out.index('id="trend"'):out.index('id="compliance"')]
    assert "Protocol SSLv3 is accepted" in trend  # new
    assert "https://bkd.example.go.id/" in trend  # resolved
    assert 'id="trend"' not in render(result, ruleset, "en")


def test_split_by_agency(result: ScanResult, ruleset: RuleSet, tmp_path: Path) -> None:
    parts = split_by_agency(result)
    assert set(parts) == {"Dinas Kesehatan", "Disdukcapil", "BKD", ""}
    assert sum(len(p.findings) for p in parts.values()) == len(result.findings)
    assert sum(len(p.facts) for p in parts.values()) == len(result.facts)
    kesehatan = parts["Dinas Kesehatan"]
    assert {t.agency for t in kesehatan.targets} == {"Dinas Kesehatan"}
    assert kesehatan.scan_id == result.scan_id and kesehatan.profile["agency"] == "Dinas Kesehatan"
    paths = write_per_agency(result, ruleset, "id", tmp_path)
    page = (tmp_path / "dinas-kesehatan.html").read_text(encoding="utf-8")
    assert len(paths) == 4 and "Laporan untuk instansi" in page and "Disdukcapil" not in page


def test_inline_code_is_escaped_first() -> None:
    from scanner.report.html import inline_code

    assert str(inline_code("Set `ssl_protocols` <b>now</b>")) == "Set <code>ssl_protocols</code> &lt;b&gt;now&lt;/b&gt;"
    assert str(inline_code("`<script>`")) == "<code>&lt;script&gt;</code>"


def test_expired_suppression_is_flagged(result: ScanResult, ruleset: RuleSet) -> None:
    tls = next(f for f in result.findings if f.rule_id == "PND-TLS-901")
    tls.suppression = {"reason": "Menunggu migrasi server", "owner": "bkd", "expires": "2026-01-31", "expired": True}
    out = render(result, ruleset, "en")
    assert "Suppression expired on 2026-01-31: Menunggu migrasi server" in out
    suppressed = render(result, ruleset, "id")
    assert "Penanggung jawab: diskominfo" in suppressed and "Berlaku sampai: 2026-12-31" in suppressed


def test_metadata_says_how_old_the_end_of_life_table_is(result: ScanResult, ruleset: RuleSet) -> None:
    from dataclasses import replace

    from scanner.model import Facts

    table = {"retrieved": "2026-08-22", "age_days": 101, "source": "https://endoflife.date"}
    http = Facts("http", result.targets[0].id, {"software": {"status": "ok", "eol_table": table, "items": []}})
    with_table = replace(result, facts=[*result.facts, http])
    assert "retrieved 2026-08-22; 101 days old at scan time" in render(with_table, ruleset, "en")
    assert "diambil 2026-08-22; berumur 101 hari saat pemindaian" in render(with_table, ruleset, "id")
    assert "End-of-life table" not in render(result, ruleset, "en")
