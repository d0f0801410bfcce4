"""The control checklist claims only what the scan tested, with the matrix's honesty rules: "no findings
(tested)" only when a rule for the control ran on applicable, conclusive facts and the control is
testable in full from outside; otherwise partly tested, not tested, the officer's check or not applicable."""

from __future__ import annotations

from typing import Any

import pytest

from scanner.judging.checklist import ControlStatus, checklist_counts, checklist_view
from scanner.judging.rules import RuleSet, load_rules
from scanner.model import Facts, ScanResult, Target, TargetKind
from scanner.running.scan import judged
from tests.report.fixtures import demo_result
from tests.support import hsts_rule, judged_http, nosniff_rule

WEB = Target(TargetKind.URL, "https://portal.example.go.id/")
PLAIN = Target(TargetKind.URL, "http://lama.example.go.id/")
DB = Target(TargetKind.DATABASE, "postgresql://db.example.go.id/app")

HSTS = hsts_rule("PND-TEST-301", ["owasp-asvs-4.0.3:14.4.5"], extra="controls: [K43]\n")
NOSNIFF = nosniff_rule("PND-TEST-302", ["owasp-asvs-4.0.3:14.4.4"], applies_when="true", extra="controls: [K72]\n")


@pytest.fixture
def pack(write_pack: Any) -> RuleSet:
    return load_rules(write_pack(HSTS, NOSNIFF))


def _rows(ruleset: RuleSet, *observations: tuple[Target, dict[str, Any] | None]) -> dict[str, ControlStatus]:
    return {row.control.id: row for row in checklist_view(judged_http(ruleset, *observations), ruleset)}


def test_full_control_tested_on_applicable_facts_has_no_findings(pack: RuleSet) -> None:
    rows = _rows(pack, (PLAIN, {"scheme": "http", "hsts": False, "nosniff": True}),
                 (WEB, {"scheme": "https", "hsts": True, "nosniff": True}))
    assert rows["K43"].status == "no_findings"
    assert rows["K43"].tested == {"PND-TEST-301": [WEB.id]}  # the plain-HTTP site did not test it


def test_control_whose_rule_had_no_applicable_facts_is_not_tested(pack: RuleSet) -> None:
    rows = _rows(pack, (PLAIN, {"scheme": "http", "hsts": False, "nosniff": True}))
    assert rows["K43"].status == "not_tested" and rows["K43"].tested == {}


def test_inconclusive_observation_tests_nothing(pack: RuleSet) -> None:
    rows = _rows(pack, (WEB, None))
    assert rows["K43"].status == "not_tested" and rows["K72"].status == "not_tested"


def test_finding_names_its_targets(pack: RuleSet) -> None:
    rows = _rows(pack, (WEB, {"scheme": "https", "hsts": False, "nosniff": True}))
    assert rows["K43"].status == "finding"
    assert rows["K43"].findings == 1 and rows["K43"].finding_targets == [WEB.id]


def test_partly_testable_control_is_never_no_findings(pack: RuleSet) -> None:
    rows = _rows(pack, (WEB, {"scheme": "https", "hsts": True, "nosniff": True}))
    assert rows["K72"].status == "partial"  # a clean header check is only part of "safe responses and content"
    assert rows["K72"].tested == {"PND-TEST-302": [WEB.id]}


def test_controls_without_rules_need_the_officer_or_do_not_apply(pack: RuleSet) -> None:
    rows = _rows(pack, (WEB, {"scheme": "https", "hsts": True, "nosniff": True}))
    assert rows["K1"].status == "manual" and rows["K1"].control.manual_test == "WSTG-ATHN-02"
    assert rows["K62"].control.manual_test == "ASVS 13"  # the guide names no WSTG test for K62
    db_only = judged(ScanResult("s2", "2026-12-01T00:00:00+00:00", "", "t", "r", [DB],
                                [Facts("database", DB.id, {})]), pack)
    statuses = {row.status for row in checklist_view(db_only, pack)}
    assert statuses == {"not_applicable"}


def test_demo_counts_are_measured_and_cover_all_72() -> None:
    result, rules = demo_result()
    counts = checklist_counts(checklist_view(result, rules))
    assert sum(counts.values()) == 72
    assert counts["finding"] > 0 and counts["manual"] > 0
    assert counts["no_findings"] == 0  # every demo TLS/HTTP target has findings under K43/K45/K46
