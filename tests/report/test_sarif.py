"""SARIF 2.1.0: valid against the official OASIS schema and shaped for GitHub code scanning."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from scanner.judging.rules import RuleSet
from scanner.model import ScanResult, Target, TargetKind
from scanner.report.sarif import build, location, pseudo_path, render
from tests.report.validation import errors, sarif_validator


def test_valid_against_official_schema(result: ScanResult, ruleset: RuleSet) -> None:
    for lang in ("id", "en"):
        assert errors(sarif_validator(), json.loads(render(result, ruleset, lang))) == []


def test_schema_rejects_broken_log(result: ScanResult, ruleset: RuleSet) -> None:
    log = build(result, ruleset, "en")
    log["runs"][0]["results"][0]["level"] = "fatal"
    log["runs"][0]["results"][1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] = "no file here"
    problems = errors(sarif_validator(), log)
    assert any("fatal" in p for p in problems) and any("uri-reference" in p for p in problems)


def test_rules_carry_github_metadata(result: ScanResult, ruleset: RuleSet) -> None:
    rules = {r["id"]: r for r in build(result, ruleset, "en")["runs"][0]["tool"]["driver"]["rules"]}
    assert set(rules) == {r.id for r in ruleset.rules}
    db = rules["PND-DB-901"]
    assert db["properties"]["security-severity"] == "9.5"
    assert db["defaultConfiguration"]["level"] == "error"
    assert db["shortDescription"]["text"] == "NIK stored unencrypted"
    assert "pgp_sym_encrypt" in db["help"]["markdown"] and "```" in db["help"]["markdown"]
    assert "1. Encrypt the column" in db["help"]["text"]
    assert "[UU PDP 35](https://" in db["help"]["markdown"]
    assert rules["PND-HTTP-902"]["defaultConfiguration"]["level"] == "note"
    for rule in rules.values():
        assert len(rule["properties"]["tags"]) <= 20 and "security" in rule["properties"]["tags"]
        assert len(rule["fullDescription"]["text"]) <= 1024


def test_results_point_at_profile_lines(result: ScanResult, ruleset: RuleSet) -> None:
    run = build(result, ruleset, "en")["runs"][0]
    by_fp = {r["partialFingerprints"]["pindaiFingerprint/v1"]: r for r in run["results"]}
    assert set(by_fp) == {f.fingerprint for f in result.findings}
    db_finding = next(f for f in result.findings if f.rule_id == "PND-DB-901")
    sarif_result = by_fp[db_finding.fingerprint]
    physical = sarif_result["locations"][0]["physicalLocation"]
    assert physical == {"artifactLocation": {"uri": "profiles/kota.toml"}, "region": {"startLine": 20}}
    assert sarif_result["partialFingerprints"]["primaryLocationLineHash"].startswith(db_finding.fingerprint)
    assert db_finding.target_id in sarif_result["message"]["text"]
    assert sarif_result["properties"]["target"] == db_finding.target_id
    assert sarif_result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == db_finding.target_id
    assert run["results"][0]["ruleId"] == run["tool"]["driver"]["rules"][run["results"][0]["ruleIndex"]]["id"]


def test_fallback_locations_without_profile() -> None:
    url = Target(TargetKind.URL, "https://Dukcapil.example.go.id:8443/layanan/ktp?x=1")
    assert pseudo_path(url.id, url.kind) == "pindai-targets/https/dukcapil.example.go.id_8443/layanan/ktp"
    db = Target(TargetKind.DATABASE, "postgresql://app@db.example.go.id/simpus")
    assert location(db.id, db)["physicalLocation"]["artifactLocation"]["uri"] == (
        "pindai-targets/postgresql/db.example.go.id/simpus")
    dump = Target(TargetKind.SQLFILE, "dumps/pegawai 2024.sql")
    loc = location(dump.id, dump)["physicalLocation"]
    assert loc == {"artifactLocation": {"uri": "dumps/pegawai%202024.sql"}, "region": {"startLine": 1}}
    absolute = Target(TargetKind.URL, "https://a.example/", declared_at=f"{os.getcwd()}/profiles/p.toml:7")
    assert location(absolute.id, absolute)["physicalLocation"]["artifactLocation"]["uri"] == "profiles/p.toml"
    outside = Target(TargetKind.URL, "https://a.example/", declared_at="/etc/pindai/p.toml:3")
    assert location(outside.id, outside)["physicalLocation"]["artifactLocation"]["uri"] == "file:///etc/pindai/p.toml"


def test_suppressed_findings_carry_suppressions(result: ScanResult, ruleset: RuleSet) -> None:
    results = build(result, ruleset, "id")["runs"][0]["results"]
    suppressed = [r for r in results if "suppressions" in r]
    assert len(suppressed) == 1
    entry = suppressed[0]["suppressions"][0]
    assert entry["kind"] == "external" and entry["status"] == "accepted"
    assert entry["justification"] == "Ditangani oleh WAF pusat"
    assert entry["properties"]["expires"] == "2026-12-31"


def test_inconclusive_and_coverage_notes_become_notifications(result: ScanResult, ruleset: RuleSet) -> None:
    invocation = build(result, ruleset, "en")["runs"][0]["invocations"][0]
    notes = invocation["toolExecutionNotifications"]
    assert len(notes) == len(result.inconclusive()) + len(result.evaluation_errors) == 3
    assert all(n["level"] == "warning" for n in notes)
    assert "PND-AUTH-901 could not be evaluated" in notes[-1]["message"]["text"]
    assert invocation["startTimeUtc"] == result.started_at


def test_orphan_findings_get_descriptors(result: ScanResult, ruleset: RuleSet) -> None:
    result.findings[0].rule_id = "PND-OLD-001"
    log = build(result, ruleset, "en")
    assert errors(sarif_validator(), log) == []
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    orphan = next(r for r in rules if r["id"] == "PND-OLD-001")
    assert log["runs"][0]["results"][0]["ruleIndex"] == rules.index(orphan)


def test_only_rules_with_results_are_described(result: ScanResult, ruleset: RuleSet) -> None:
    log = build(result, ruleset, "id")
    driver = log["runs"][0]["tool"]["driver"]
    reported = {f.rule_id for f in result.findings if f.status in ("open", "suppressed")}
    assert {r["id"] for r in driver["rules"]} == reported and len(driver["rules"]) == len(reported)
    assert all(driver["rules"][r["ruleIndex"]]["id"] == r["ruleId"] for r in log["runs"][0]["results"])
    assert driver["semanticVersion"] == result.tool_version
    spec = ruleset.by_id(driver["rules"][0]["id"]).spec  # type: ignore[union-attr]
    assert driver["rules"][0]["fullDescription"]["text"] == spec.description.id[:1024]


def test_one_file_code_scan_sarif_is_small_and_valid(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Through `pindai scan`: a pre-commit style scan of one file (measured 1.28 MB before)."""
    from click.testing import CliRunner

    from scanner.cli import main

    (tmp_path / "app.py").write_text('import hashlib\nDEBUG = True\nSECRET_KEY = "pindai-fixture-secret-1"\n'
                                     'def h(p):\n    return hashlib.md5(p).hexdigest()\n')
    monkeypatch.chdir(tmp_path)
    done = CliRunner().invoke(main, ["scan", "app.py", "--no-store", "--sarif", "out.sarif"])
    assert done.exit_code == 0, done.output
    raw = (tmp_path / "out.sarif").read_bytes()
    log = json.loads(raw)
    assert log["runs"][0]["results"] and errors(sarif_validator(), log) == []
    assert len(raw) < 100 * 1024, len(raw)


def test_github_limits_documented(tmp_path: Path) -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "reports.md").read_text(encoding="utf-8")
    assert "pindai-targets/" in doc and "primaryLocationLineHash" in doc


@pytest.mark.parametrize("lang", ["id", "en"])
def test_zero_results_is_valid(lang: str, ruleset: RuleSet) -> None:
    empty = ScanResult("e0", "2026-01-01T00:00:00+00:00", "2026-01-01T00:00:01+00:00", "0.1.0", ruleset.version, [], [])
    log = build(empty, ruleset, lang)
    assert log["runs"][0]["results"] == [] and errors(sarif_validator(), log) == []


def test_code_and_sql_findings_land_on_their_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Through `pindai scan`: GitHub can annotate the file and line of code and SQL-file findings."""
    from click.testing import CliRunner

    from scanner.cli import main

    repo = tmp_path / "repo"
    (repo / "app" / "config").mkdir(parents=True)
    secret = 'AWS_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"'
    (repo / "app" / "config" / "settings.py").write_text(f"DEBUG = True\n\n{secret}\n")
    niks = ",".join(f"('320101010190000{n}')" for n in range(1, 5))
    (repo / "dump.sql").write_text(f"-- dump\nCREATE TABLE t (nik varchar(16));\nINSERT INTO t VALUES {niks};\n")
    monkeypatch.chdir(repo)
    done = CliRunner().invoke(main, ["scan", "app", "dump.sql", "--no-store", "--sarif", "out.sarif"])
    assert done.exit_code in (0, 1), done.output
    log = json.loads((repo / "out.sarif").read_text())
    assert errors(sarif_validator(), log) == []
    physical = [(r["ruleId"], r["locations"][0]["physicalLocation"]) for r in log["runs"][0]["results"]]
    located = {(rule, p["artifactLocation"]["uri"], p.get("region", {}).get("startLine")) for rule, p in physical}
    secret = [loc for loc in located if loc[0] == "PND-CODE-001"]
    assert secret and all(uri == "app/config/settings.py" and line == 3 for _, uri, line in secret), located
    sql = [loc for loc in located if loc[0].startswith("PND-SQL-")]
    assert sql and all(uri == "dump.sql" and line and line >= 2 for _, uri, line in sql), located
    artifact = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact["uriBaseId"] == "%SRCROOT%"


def test_information_uri_is_the_home_page_in_the_package_metadata(result: ScanResult, ruleset: RuleSet) -> None:
    """``tool.driver.informationUri`` is read from the installed package's ``[project.urls]`` Homepage."""
    import tomllib
    from importlib.metadata import metadata

    home = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text(encoding="utf-8"))[
        "project"]["urls"]["Homepage"]
    assert f"Homepage, {home}" in (metadata("pindai").get_all("Project-URL") or [])
    assert build(result, ruleset, "en")["runs"][0]["tool"]["driver"]["informationUri"] == home
