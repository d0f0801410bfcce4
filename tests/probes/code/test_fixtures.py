"""The code probe and rules/code.yaml over the fixture trees, with the real engine and rules."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from scanner.judging.advisories import load_index
from scanner.judging.rules import RuleSet
from scanner.model import ScanResult
from scanner.report import renderer
from scanner.service.update import import_bundle
from tests.osv_bundle import bundle
from tests.probes.code.helpers import FIXTURE_SECRETS, FIXTURES, scan_tree

MIGRATION = "database/migrations/2024_01_15_000001_create_penduduk.sql"

# (rule id, where) for every finding expected on fixtures/source/vulnerable -- exactly these.
EXPECTED_VULNERABLE = {
    ("PND-CODE-001", "app.py:15"),  # SECRET_KEY literal (B105)
    ("PND-CODE-001", "config.py:5"),  # MAIL_PASSWORD literal (B105)
    ("PND-CODE-002", "app.py:25"),  # SQL built with + (B608)
    ("PND-CODE-003", "app.py:32"),  # hashlib.md5 (B324)
    ("PND-CODE-004", "app.py:39"),  # requests verify=False (B501)
    ("PND-CODE-005", "app.py:58"),  # app.run(debug=True) (B201)
    ("PND-CODE-006", "app.py:45"),  # yaml.load (B506)
    ("PND-CODE-007", "app.py:53"),  # shell=True (B602)
    ("PND-CODE-008", "app.py:46"),  # pickle.loads (B301)
    ("PND-CODE-009", "keys/server.key:1"),
    ("PND-CODE-010", "deploy/settings.yml:3"),  # AWS
    ("PND-CODE-010", "deploy/settings.yml:5"),  # Google
    ("PND-CODE-010", "deploy/settings.yml:7"),  # Slack
    ("PND-CODE-010", "deploy/settings.yml:9"),  # GitHub
    ("PND-CODE-011", "config.py:4"),  # postgresql://user:pass@host
    ("PND-CODE-012", ".env:14"),  # JWT_SECRET
    ("PND-CODE-013", ".env:12"),  # DB_PASSWORD in a .env not covered by .gitignore
    ("PND-CODE-013", "config.php:5"),  # $db_pass
    ("PND-CODE-013", "wp-config.php:5"),  # define('DB_PASSWORD', ...)
    ("PND-CODE-013", "application/config/database.php:8"),  # CodeIgniter 'password' => ...
    ("PND-CODE-014", ".env:3"),  # APP_KEY
    ("PND-CODE-015", "config/database.php:10"),  # env('DB_PASSWORD', 'literal')
    ("PND-CODE-016", ".env:4"),  # APP_DEBUG=true with APP_ENV=production
    ("PND-CODE-017", "config.py:3"),  # DEBUG = True
    ("PND-CODE-017", "wp-config.php:7"),  # WP_DEBUG true
    ("PND-CODE-018", MIGRATION),  # plaintext NIK, name, phone, address
    ("PND-CODE-019", MIGRATION),  # unsalted MD5 passwords
    ("PND-CODE-030", "composer.lock"),  # guzzlehttp/guzzle 7.4.4 (GHSA-25mq-v84q-4j7r)
    ("PND-CODE-030", "package-lock.json"),  # lodash 4.17.20 (GHSA-35jh-r3h4-6jhm)
    ("PND-CODE-031", "requirements.txt"),  # Jinja2 3.1.2 (GHSA-h5c8-rqwp-cp95, moderate)
    ("PND-CODE-032", "composer.lock"),  # Laravel 8
    ("PND-CODE-032", "package-lock.json"),  # jQuery 1.x
}


def _where(evidence: dict[str, Any]) -> str:
    if "path" in evidence:
        return str(evidence["path"])
    return f"{evidence['file']}:{evidence['line']}" if "line" in evidence else str(evidence["file"])


def _with_advisories(tmp: Path, tree: Path, ruleset: RuleSet):
    """Scan ``tree`` with the recorded OSV advisories imported into a private data directory."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PINDAI_DATA_DIR", str(tmp / "data"))
        import_bundle(bundle(tmp, "2026-12-01", eol=False), dt.date(2026, 12, 6))
        try:
            return scan_tree(tree, ruleset)
        finally:
            load_index.cache_clear()


@pytest.fixture(scope="module")
def vulnerable(ruleset: RuleSet, tmp_path_factory: pytest.TempPathFactory):
    return _with_advisories(tmp_path_factory.mktemp("vulnerable"), FIXTURES / "vulnerable", ruleset)


def test_vulnerable_findings_exactly_as_expected(vulnerable) -> None:
    _, facts, judgement = vulnerable
    assert facts.data["bandit"]["status"] == "ok"
    assert not judgement.errors
    found = {(f.rule_id, _where(f.evidence)) for f in judgement.findings}
    assert found == EXPECTED_VULNERABLE
    assert len(judgement.findings) == len(EXPECTED_VULNERABLE)


def test_every_code_rule_fires_on_the_vulnerable_tree(vulnerable, ruleset: RuleSet) -> None:
    _, _, judgement = vulnerable
    # PHP/JavaScript (test_sast.py), git history (test_history.py), data files (test_datafiles.py)
    sast = {f"PND-CODE-{n:03d}" for n in range(20, 29)}
    assert {f.rule_id for f in judgement.findings} == {r.id for r in ruleset.for_probe("code")} - sast


def test_clean_tree_has_no_findings(ruleset: RuleSet, tmp_path: Path) -> None:
    _, facts, judgement = _with_advisories(tmp_path, FIXTURES / "clean", ruleset)
    assert not judgement.errors
    assert [(f.rule_id, f.item_key) for f in judgement.findings] == []
    # ...but it was really observed: python, SQL and configuration files were read
    assert facts.data["bandit"]["files"] == 2
    assert facts.data["sql"][0]["status"] == "ok"
    assert {s["name"] for s in facts.data["settings"]} >= {"APP_DEBUG", "WP_DEBUG", "DEBUG"}
    assert facts.data["dependencies"]["tested"] and facts.data["dependencies"]["packages"] == 6


def test_skips_third_party_and_binary_files(vulnerable) -> None:
    _, facts, _ = vulnerable
    skipped = facts.data["inventory"]["skipped"]
    assert skipped["excluded_directory"]["paths"] == ["node_modules/"]
    assert skipped["binary"]["paths"] == ["static/logo.png"]
    assert not any(s["file"].startswith(("node_modules", "static")) for s in facts.data["secrets"])


def test_secret_facts_keep_location_and_shape_only(vulnerable) -> None:
    _, facts, _ = vulnerable
    by_place = {(s["file"], s["variable"]): s for s in facts.data["secrets"]}
    db = by_place[(".env", "DB_PASSWORD")]
    assert set(db) == {"pattern", "kind", "detector", "file", "line", "variable", "masked", "length", "form",
                       "placeholder", "template", "documentation", "vcs_ignored", "key"}
    assert db["masked"] == "pi" + "*" * 22 + "rd"
    assert db["length"] == len("pindai-fixture-db-password")
    assert (db["file"], db["line"], db["kind"], db["vcs_ignored"]) == (".env", 12, "password", False)


def test_no_secret_value_in_facts_findings_or_reports(vulnerable, ruleset: RuleSet) -> None:
    target, facts, judgement = vulnerable
    result = ScanResult(
        scan_id="leaktest", started_at="2026-01-01T00:00:00+00:00", finished_at="2026-01-01T00:00:01+00:00",
        tool_version="test", rulepack_version=ruleset.version, targets=[target], facts=[facts],
        findings=judgement.findings,
    )
    texts = {
        "facts": json.dumps(facts.to_dict()),
        "findings": json.dumps([f.to_dict() for f in judgement.findings]),
        "json": renderer("json")(result, ruleset, "en"),
        "json-id": renderer("json")(result, ruleset, "id"),
    }
    for name, text in texts.items():
        leaked = [s for s in FIXTURE_SECRETS if s in text]
        assert not leaked, f"{name} contains unmasked secrets: {leaked}"


def test_fixture_really_contains_the_secrets() -> None:
    """Guard for the leak test above: the strings it looks for are really in the fixture."""
    text = "\n".join(p.read_text(errors="replace") for p in (FIXTURES / "vulnerable").rglob("*") if p.is_file())
    missing = [s for s in FIXTURE_SECRETS if s not in text]
    assert not missing


def test_pindaiignore_in_the_tree_is_honoured(tmp_path: Path, ruleset: RuleSet) -> None:
    (tmp_path / ".pindaiignore").write_text("secrets/\n")
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "prod.env").write_text("DB_PASSWORD=" + "pindai-fixture-ignored\n")
    (tmp_path / "app.env").write_text("DB_PASSWORD=" + "pindai-fixture-reported\n")
    _, facts, judgement = scan_tree(tmp_path, ruleset)
    assert [f.evidence["file"] for f in judgement.findings] == ["app.env"]
    assert facts.data["inventory"]["skipped"]["pindaiignore"]["paths"] == ["secrets/"]


def test_gitignored_env_file_is_not_reported(tmp_path: Path, ruleset: RuleSet) -> None:
    (tmp_path / ".gitignore").write_text(".env\n")
    (tmp_path / ".env").write_text("APP_KEY=base64:" + "cGluZGFpLWZpeHR1cmU=\nDB_PASSWORD=" + "pindai-fixture-x\n")
    _, facts, judgement = scan_tree(tmp_path, ruleset)
    assert all(s["vcs_ignored"] for s in facts.data["secrets"])
    assert facts.data["env_files"] == [{"file": ".env", "template": False, "vcs_ignored": True}]
    assert judgement.findings == []
