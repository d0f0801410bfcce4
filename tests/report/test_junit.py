"""JUnit XML: valid against the Jenkins JUnit-4 XSD, one testcase per rule x target."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from scanner.judging.rules import RuleSet
from scanner.model import ScanResult
from scanner.report.junit import render
from tests.report.fixtures import RAW_NIK
from tests.report.xsd_lite import load, validate

XSD = Path(__file__).resolve().parent / "schemas" / "JUnit.xsd"


def _parse(result: ScanResult, ruleset: RuleSet, lang: str = "en") -> ET.Element:
    return ET.fromstring(render(result, ruleset, lang))


def test_valid_against_xsd(result: ScanResult, ruleset: RuleSet) -> None:
    decls = load(XSD)
    for lang in ("id", "en"):
        assert validate(_parse(result, ruleset, lang), decls) == []


def test_cases_and_counts(result: ScanResult, ruleset: RuleSet) -> None:
    root = _parse(result, ruleset)
    cases = root.findall(".//testcase")
    dukcapil = [c for c in cases if c.get("classname") == "https://dukcapil.example.go.id/login"]
    # tls, http (2 rules), auth probes ran on dukcapil -> 4 rule cases
    assert sorted(c.get("name", "").split()[0] for c in dukcapil) == [
        "PND-AUTH-901", "PND-HTTP-901", "PND-HTTP-902", "PND-TLS-901"]
    auth = next(c for c in dukcapil if c.get("name", "").startswith("PND-AUTH-901"))
    failure = auth.find("failure")
    assert failure is not None and failure.get("type") == "high"
    assert failure.get("message") == "/admin opens without login"
    assert "&lt;script&gt;" not in (failure.text or "") and "<script>" in (failure.text or "")  # text, not markup
    hsts = next(c for c in dukcapil if c.get("name", "").startswith("PND-HTTP-901"))
    skipped = hsts.find("skipped")
    assert skipped is not None and "WAF" in (skipped.text or "")
    bkd = [c for c in cases if c.get("classname") == "https://bkd.example.go.id/"]
    assert bkd and all(c.find("skipped") is not None for c in bkd)
    assert all(RAW_NIK not in (c.find("skipped").text or "") for c in bkd)  # type: ignore[union-attr]
    errored = [c for c in cases if c.find("error") is not None]
    assert [c.get("classname") for c in errored] == ["https://simpus.dinkes.example.go.id/"]
    assert int(root.get("tests", "0")) == len(cases)
    assert int(root.get("failures", "0")) == sum(len(c.findall("failure")) for c in cases)
    for suite in root.findall("testsuite"):
        assert int(suite.get("tests", "0")) == len(suite.findall("testcase"))
        assert int(suite.get("skipped", "0")) == len(suite.findall("testcase/skipped"))


def test_evidence_is_masked(result: ScanResult, ruleset: RuleSet) -> None:
    text = render(result, ruleset, "en")
    assert "3174********0001" in text and RAW_NIK not in text
