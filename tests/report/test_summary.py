"""The overall verdict: nothing unobserved ever reads as good."""

from __future__ import annotations

from scanner.model import Facts, Finding, ScanResult, Severity, Target, TargetKind
from scanner.report.summary import assessment, not_fully_assessed, risk_posture

WEB = Target(TargetKind.URL, "https://portal.contoh.go.id/")
SRC = Target(TargetKind.SOURCE, "/srv/app")


def _result(facts: list[Facts], findings: list[Finding] | None = None) -> ScanResult:
    return ScanResult("s1", "", "", "0", "v", [WEB, SRC], facts, findings or [])


def test_nothing_observed_is_not_assessed() -> None:
    result = _result([Facts("http", WEB.id, status="inconclusive", reason="refused")])
    assert (assessment(result), risk_posture(result)) == ("none", "not_assessed")
    assert not_fully_assessed(result) == [WEB.id, SRC.id]


def test_partly_observed_is_partial_and_capped_counts_as_partly() -> None:
    one = _result([Facts("http", WEB.id), Facts("code", SRC.id, status="inconclusive", reason="x")])
    capped = _result([Facts("http", WEB.id), Facts("code", SRC.id, {"coverage_limits": [{"code": "x", "limit": 1}]})])
    for result in (one, capped):
        assert (assessment(result), risk_posture(result)) == ("partial", "partial")
        assert not_fully_assessed(result) == [SRC.id]


def test_good_only_when_everything_was_observed_and_findings_decide_the_colour() -> None:
    full = _result([Facts("http", WEB.id), Facts("code", SRC.id)])
    assert (assessment(full), risk_posture(full)) == ("full", "good")
    high = Finding("PND-HTTP-001", WEB.id, "hsts", Severity.HIGH, 60.0, {"id": "j", "en": "t"},
                   {"id": "p", "en": "m"}, {}, [], "http")
    partly = _result([Facts("http", WEB.id)], [high])
    assert risk_posture(partly) == "high"
