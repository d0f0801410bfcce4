"""Suppressions: match by fingerprint or rule + target pattern; expired ones reopen findings."""

from __future__ import annotations

from datetime import date

import pytest

from scanner.judging.suppressions import SuppressionError, load_suppressions
from scanner.model import Finding, ScanResult, Severity, Target, TargetKind

WEB = Target(TargetKind.URL, "https://portal.contoh.go.id/")


def _f(rule: str, key: str) -> Finding:
    return Finding(rule, WEB.id, key, Severity.MEDIUM, 40.0, {"id": "", "en": ""}, {"id": "", "en": ""}, {},
                   ["uu-pdp-2022:35"], "http")


def _result() -> ScanResult:
    return ScanResult("s", "t", "t", "0", "v", [WEB], [], [_f("PND-HTTP-001", ""), _f("PND-HTTP-002", "x"),
                                                            _f("PND-HTTP-003", "")])


def test_apply(tmp_path):
    fp = _f("PND-HTTP-002", "x").fingerprint
    path = tmp_path / "s.yaml"
    path.write_text(f"""suppressions:
  - rule: PND-HTTP-001
    target: "https://portal.*"
    reason: Ditangani oleh WAF pusat
    owner: csirt@contoh.go.id
    expires: 2027-01-31
  - fingerprint: {fp}
    reason: Risiko diterima sampai migrasi
    owner: kabid-aptika
    expires: 2026-11-01
""")
    result = load_suppressions(path).apply(_result(), today=date(2026, 11, 23))
    status = {f.rule_id: (f.status, (f.suppression or {}).get("expired")) for f in result.findings}
    assert status == {"PND-HTTP-001": ("suppressed", False), "PND-HTTP-002": ("open", True),
                      "PND-HTTP-003": ("open", None)}
    assert [f.rule_id for f in result.open_findings()] == ["PND-HTTP-002", "PND-HTTP-003"]


def test_bad_entries_are_reported_with_position(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("- rule: PND-HTTP-001\n  reason: ok ok\n  owner: me\n- fingerprint: abc\n  reason: x\n")
    with pytest.raises(SuppressionError) as info:
        load_suppressions(path)
    message = str(info.value)
    assert "suppressions[0].expires: Field required" in message
    assert "suppressions[1].fingerprint: String should match pattern" in message
