"""Dependency check: lock files pinning versions with recorded OSV advisories → findings through the real rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scanner.judging.rules import RuleSet
from scanner.service.update import import_bundle
from tests.osv_bundle import bundle
from tests.probes.code.helpers import scan_tree


def _tree(root: Path, guzzle: str, lodash: str, laravel: str = "10.48.0") -> Path:
    root.mkdir()
    (root / "composer.lock").write_text(json.dumps({"packages": [
        {"name": "guzzlehttp/guzzle", "version": guzzle}, {"name": "laravel/framework", "version": f"v{laravel}"}],
        "packages-dev": []}))
    (root / "package-lock.json").write_text(json.dumps({"name": "portal", "lockfileVersion": 2, "packages": {
        "": {"name": "portal"}, "node_modules/lodash": {"version": lodash}}}))
    return root


@pytest.fixture
def advisories(tmp_path: Path) -> None:
    import datetime as dt

    import_bundle(bundle(tmp_path, "2026-12-01", eol=False), dt.date(2026, 12, 6))


def _by_rule(ruleset: RuleSet, root: Path) -> dict[str, list[str]]:
    _, _, judgement = scan_tree(root, ruleset)
    found: dict[str, list[str]] = {}
    for finding in judgement.findings:
        found.setdefault(finding.rule_id, []).append(finding.item_key)
    return found


def test_known_vulnerable_versions_give_one_finding_per_package(
        tmp_path: Path, ruleset: RuleSet, advisories: None) -> None:
    found = _by_rule(ruleset, _tree(tmp_path / "app", guzzle="7.4.4", lodash="4.17.20"))
    assert sorted(found["PND-CODE-030"]) == ["composer.lock:guzzlehttp/guzzle@7.4.4",
                                             "package-lock.json:lodash@4.17.20"]
    _, facts, _ = scan_tree(tmp_path / "app", ruleset)
    guzzle = next(v for v in facts.data["dependencies"]["vulnerable"] if v["name"] == "guzzlehttp/guzzle")
    assert guzzle["advisories"] == ["GHSA-25mq-v84q-4j7r"] and guzzle["aliases"] == ["CVE-2022-31090"]
    assert guzzle["fixed"] == "7.4.5" and guzzle["severity"] == "high"


def test_patched_versions_give_none(tmp_path: Path, ruleset: RuleSet, advisories: None) -> None:
    found = _by_rule(ruleset, _tree(tmp_path / "app", guzzle="7.4.5", lodash="4.17.21"))
    assert "PND-CODE-030" not in found and "PND-CODE-031" not in found


def test_the_older_branch_is_matched_by_its_own_range(tmp_path: Path, ruleset: RuleSet, advisories: None) -> None:
    found = _by_rule(ruleset, _tree(tmp_path / "app", guzzle="6.5.7", lodash="4.17.21"))
    assert found["PND-CODE-030"] == ["composer.lock:guzzlehttp/guzzle@6.5.7"]
    assert "PND-CODE-030" not in _by_rule(ruleset, _tree(tmp_path / "b", guzzle="6.5.8", lodash="4.17.21"))


def test_without_advisory_data_the_rules_are_not_tested(tmp_path: Path, ruleset: RuleSet) -> None:
    _, facts, judgement = scan_tree(_tree(tmp_path / "app", guzzle="7.4.4", lodash="4.17.20"), ruleset)
    dependencies = facts.data["dependencies"]
    assert dependencies["tested"] is False and dependencies["untested_ecosystems"] == ["Packagist", "npm"]
    assert not [f for f in judgement.findings if f.rule_id in ("PND-CODE-030", "PND-CODE-031")]


def test_end_of_life_framework_in_a_lock_file(tmp_path: Path, ruleset: RuleSet) -> None:
    found = _by_rule(ruleset, _tree(tmp_path / "app", guzzle="7.4.5", lodash="4.17.21", laravel="8.83.27"))
    assert found["PND-CODE-032"] == ["composer.lock:laravel/framework@8.83.27"]


def test_a_lock_file_larger_than_the_probes_file_cap_is_still_read(
        tmp_path: Path, ruleset: RuleSet, advisories: None) -> None:
    root = _tree(tmp_path / "app", guzzle="7.4.5", lodash="4.17.20")
    lock = json.loads((root / "package-lock.json").read_text())
    lock["packages"].update({f"node_modules/pad-{n}": {"version": "1.0.0", "resolved": "x" * 200}
                             for n in range(6000)})
    (root / "package-lock.json").write_text(json.dumps(lock))
    assert (root / "package-lock.json").stat().st_size > 1 << 20
    assert _by_rule(ruleset, root)["PND-CODE-030"] == ["package-lock.json:lodash@4.17.20"]


def test_an_unreadable_lock_file_is_reported_not_fatal(tmp_path: Path, ruleset: RuleSet, advisories: None) -> None:
    root = _tree(tmp_path / "app", guzzle="7.4.4", lodash="4.17.21")
    (root / "package-lock.json").write_text("{ not json")
    _, facts, judgement = scan_tree(root, ruleset)
    files = {f["file"]: f for f in facts.data["dependencies"]["lockfiles"]}
    assert files["package-lock.json"]["status"] == "inconclusive"
    assert [f.item_key for f in judgement.findings if f.rule_id == "PND-CODE-030"] == [
        "composer.lock:guzzlehttp/guzzle@7.4.4"]
