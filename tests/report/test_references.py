"""Every cited article says what it is, in every report: binding or voluntary, how its summary was
checked (verified / secondary / unverified), and that it is a summary, not an official quotation."""

from __future__ import annotations

import csv
import io
import json

import pytest

from scanner.judging.rules import RuleSet, load_rules
from scanner.model import Facts, Finding, ScanResult, Severity, Target, TargetKind
from scanner.report import renderer

TARGET = Target(TargetKind.URL, "https://portal.example.go.id/", agency="Diskominfo")
REFS = ["pp-71-2019:9(5)", "bssn-4-2021:27(13)(c)", "iso-27001-2022:A.8.4"]  # verified, secondary, voluntary


@pytest.fixture(scope="module")
def shipped() -> RuleSet:
    return load_rules()


@pytest.fixture(scope="module")
def result(shipped: RuleSet) -> ScanResult:
    spec = shipped.by_id("PND-HTTP-018").spec
    finding = Finding(spec.id, TARGET.id, "/.git/HEAD", Severity.HIGH, 80.0, spec.title.model_dump(),
                      {"id": "Repositori .git terbuka", "en": ".git repository exposed"}, {"path": "/.git/HEAD"},
                      REFS, "http", agency="Diskominfo")
    return ScanResult("refs01", "2026-12-01T00:00:00+00:00", "2026-12-01T00:01:00+00:00", "0.1.0", shipped.version,
                      [TARGET], [Facts("http", TARGET.id, {})], [finding], evaluated_rules=[spec.id])


CHECKED_EN = "checked against a full-text copy (not the official gazette)"
CHECKED_ID = "diverifikasi terhadap salinan teks lengkap (bukan lembaran negara)"

def test_html(result: ScanResult, shipped: RuleSet) -> None:
    for lang, words in (("en", ("binding", CHECKED_EN, "secondary source",
                                "voluntary/reference", "summary, not an official quotation",
                                "Pindai&#39;s interpretation")),
                        ("id", ("mengikat", CHECKED_ID, "sumber sekunder", "sukarela/rujukan",
                                "ringkasan, bukan kutipan resmi", "Tafsiran Pindai"))):
        page = renderer("html")(result, shipped, lang)
        guidance = page[page.index('id="findings"'):page.index('id="compliance"')]
        for word in words:
            assert word in guidance, (lang, word)


def test_sarif(result: ScanResult, shipped: RuleSet) -> None:
    log = json.loads(renderer("sarif")(result, shipped, "en"))
    details = {d["ref"]: d for d in log["runs"][0]["results"][0]["properties"]["referenceDetails"]}
    assert details["pp-71-2019:9(5)"]["binding"] is True and details["pp-71-2019:9(5)"]["source"] == "verified"
    assert details["bssn-4-2021:27(13)(c)"]["source"] == "secondary"
    assert details["iso-27001-2022:A.8.4"]["binding"] is False
    assert all(d["summary_note"] == "summary, not an official quotation" for d in details.values())
    rule = next(r for r in log["runs"][0]["tool"]["driver"]["rules"] if r["id"] == "PND-HTTP-018")
    assert "voluntary/reference · " + CHECKED_EN in rule["help"]["markdown"]


def test_json(result: ScanResult, shipped: RuleSet) -> None:
    data = json.loads(renderer("json")(result, shipped, "id"))
    refs = data["references"]
    assert refs["iso-27001-2022:A.8.4"]["binding"] is False
    assert refs["bssn-4-2021:27(13)(c)"]["source"] == "secondary"
    assert refs["pp-71-2019:9(5)"]["summary_note"] == "ringkasan, bukan kutipan resmi"
    assert "repositori" in refs["pp-71-2019:9(5)"]["interpretation"]
    row = next(r for r in data["compliance"]["pp-71-2019"] if r["ref"] == "pp-71-2019:9(5)")
    assert row["status"] == "finding" and row["reference"]["binding"] is True


def test_csv(result: ScanResult, shipped: RuleSet) -> None:
    rows = list(csv.reader(io.StringIO(renderer("csv")(result, shipped, "en").lstrip("\ufeff"))))
    cell = rows[1][rows[0].index("Articles")]
    assert f"PP 71/2019 9(5) (binding · {CHECKED_EN} · summary, not an official quotation)" in cell
    assert "ISO/IEC 27001:2022 A.8.4 (voluntary/reference · " in cell
    assert "Peraturan BSSN 4/2021 27(13)(c) (binding · secondary source · " in cell


def test_matrix_names_the_copy_verified_summaries_were_checked_against() -> None:
    from scanner.report.html import render
    from tests.report.fixtures import demo_result

    result, rules = demo_result()
    page = render(result, rules, "en")
    assert "Summaries marked verified were checked against" in page
    assert "mblonyox/data-peraturan" in page and "not the gazette PDF" in page
