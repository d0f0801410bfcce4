"""Dogfooding: the code probe and rules over the Pindai repository itself.

Paths holding deliberate weaknesses or fake secrets are listed, with reasons, in the
repository's ``.pindaiignore``. Nothing else may produce a finding at or above medium; a
false positive is silenced in the code with a justified ``# nosec`` next to it.
"""

from __future__ import annotations

import pytest

from scanner.judging.rules import RuleSet
from scanner.judging.suppressions import apply_inline
from scanner.model import ScanResult, Severity
from tests.probes.code.helpers import REPO, scan_tree


@pytest.fixture(scope="module")
def repo_scan(ruleset: RuleSet):
    return scan_tree(REPO, ruleset)


def test_repository_has_no_medium_or_higher_findings(repo_scan) -> None:
    target, facts, judgement = repo_scan
    assert facts.data["inventory"]["ignore_file"] == ".pindaiignore"
    assert facts.data["bandit"]["status"] == "ok"
    assert not judgement.errors
    result = apply_inline(ScanResult("dogfood", "", "", "", "", [target], [facts], judgement.findings))
    serious = [f for f in result.open_findings() if f.severity.at_least(Severity.MEDIUM)]
    assert not serious, "\n".join(f"{f.rule_id} {f.message['en']}" for f in serious)
    inline = [f for f in result.findings if f.status == "suppressed"]
    assert inline and all(f.suppression and f.suppression["inline"] for f in inline)  # counted, not hidden


def test_vulnerable_fixture_is_excluded_from_dogfooding(repo_scan) -> None:
    _, facts, _ = repo_scan
    scanned = {s["file"] for s in facts.data["secrets"]} | {i["file"] for i in facts.data["bandit"]["issues"]}
    assert not any(path.startswith("fixtures/source/vulnerable/") for path in scanned)
    assert "fixtures/source/vulnerable/" in facts.data["inventory"]["skipped"]["pindaiignore"]["paths"]
    assert any(i["file"].startswith("fixtures/source/clean/") for i in facts.data["bandit"]["issues"])  # still scanned
