"""Diff by fingerprint: new, fixed, persisting, and unverified when a target was not re-observed."""

from __future__ import annotations

from dataclasses import replace

from scanner.history.diff import diff_scans
from scanner.model import Facts, Finding, ScanResult, Severity, Target, TargetKind

A = Target(TargetKind.URL, "https://a.contoh.go.id/")
B = Target(TargetKind.URL, "https://b.contoh.go.id/")


def _f(target: Target, key: str) -> Finding:
    return Finding("PND-TLS-001", target.id, key, Severity.HIGH, 75.0, {"id": "", "en": ""}, {"id": "", "en": ""},
                   {}, ["uu-pdp-2022:35"], "tls")


def _scan(findings: list[Finding], observed: list[Target]) -> ScanResult:
    return ScanResult("s", "t", "t", "0", "v", [A, B], [Facts("tls", t.id, {}) for t in observed], findings)


def test_diff():
    before = _scan([_f(A, "SSLv3"), _f(A, "TLSv1.0"), _f(B, "SSLv3")], [A, B])
    after = _scan([_f(A, "TLSv1.0"), _f(A, "TLSv1.1")], [A])
    result = diff_scans(before, after)
    assert [f.item_key for f in result.new] == ["TLSv1.1"]
    assert [f.item_key for f in result.fixed] == ["SSLv3"] and result.fixed[0].target_id == A.id
    assert [f.item_key for f in result.persisting] == ["TLSv1.0"]
    assert [(f.target_id, f.item_key) for f in result.unverified] == [(B.id, "SSLv3")]


def test_suppressed_findings_are_not_compared():
    before = _scan([_f(A, "SSLv3")], [A])
    after = _scan([replace(_f(A, "SSLv3"), status="suppressed")], [A])
    assert [f.item_key for f in diff_scans(before, after).fixed] == ["SSLv3"]
