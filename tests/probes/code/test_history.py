"""Secrets in git history: a real repository made by the test, with a secret added then deleted."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner.cli import main
from scanner.judging.rules import RuleSet, load_rules
from tests.probes.code.helpers import scan_tree

AWS_KEY = "AKIA" + "PINDAIHISTORY001"  # the cloud-key pattern; fake
DB_PASSWORD = "pindai-history-db-pass"
KEPT_TOKEN = "ghp_" + "pindaiHistoryStillHere" + "0" * 14


def _git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "Budi Santoso", "GIT_AUTHOR_EMAIL": "budi@contohkab.go.id",
           "GIT_COMMITTER_NAME": "Budi Santoso", "GIT_COMMITTER_EMAIL": "budi@contohkab.go.id",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True,
                          env=env).stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "aplikasi"
    root.mkdir()
    _git(root, "init", "-q", "-b", "main")
    (root / "config.php").write_text(f"<?php\n$db_host = 'localhost';\n$aws = '{AWS_KEY}';\n")
    (root / ".env").write_text(f"APP_ENV=production\nDB_PASSWORD={DB_PASSWORD}\n")
    (root / "README.md").write_text("# Aplikasi\n")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "awal")
    (root / "config.php").write_text("<?php\n$db_host = 'localhost';\n$aws = getenv('AWS_KEY');\n")
    (root / ".env").unlink()
    (root / ".gitignore").write_text(".env\n")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "hapus rahasia")
    (root / "deploy.js").write_text(f"const token = '{KEPT_TOKEN}';\n")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "deploy")
    return root


@pytest.fixture(scope="module")
def ruleset() -> RuleSet:
    return load_rules()


def test_deleted_secrets_are_found_in_history(repo: Path, ruleset: RuleSet) -> None:
    first = _git(repo, "rev-list", "--max-parents=0", "HEAD")[:12]
    _, facts, judgement = scan_tree(repo, ruleset, git_history=True)
    history = facts.data["history"]
    assert history["status"] == "ok" and history["commits_scanned"] == 3
    leaked = {(s["file"], s["line"], s["commit"], s["in_working_tree"]) for s in history["secrets"]}
    assert ("config.php", 3, first, False) in leaked
    assert (".env", 2, first, False) in leaked
    assert any(s["file"] == "deploy.js" and s["in_working_tree"] for s in history["secrets"])
    findings = [f for f in judgement.findings if f.rule_id == "PND-CODE-027"]
    assert {f.evidence["file"] for f in findings} == {"config.php", ".env"}  # deploy.js: reported as a current secret
    dumped = json.dumps(facts.data) + json.dumps([f.to_dict() for f in judgement.findings])
    for raw in (AWS_KEY, DB_PASSWORD, KEPT_TOKEN, "Budi", "budi@contohkab.go.id"):
        assert raw not in dumped


def test_since_a_commit_reads_only_later_commits(repo: Path, ruleset: RuleSet) -> None:
    second = _git(repo, "rev-parse", "HEAD~1")
    _, facts, judgement = scan_tree(repo, ruleset, git_history=second)
    assert facts.data["history"]["commits_scanned"] == 1
    assert not [f for f in judgement.findings if f.rule_id == "PND-CODE-027"]


def test_without_the_option_history_is_not_read(repo: Path, ruleset: RuleSet) -> None:
    _, facts, _ = scan_tree(repo, ruleset)
    assert "history" not in facts.data


def test_not_a_repository(tmp_path: Path, ruleset: RuleSet) -> None:
    (tmp_path / "a.php").write_text("<?php echo 1;\n")
    _, facts, _ = scan_tree(tmp_path, ruleset, git_history=True)
    assert facts.data["history"]["status"] == "skipped"


def test_repository_configuration_runs_nothing(repo: Path, tmp_path: Path, ruleset: RuleSet) -> None:
    """A hostile repository's textconv, external diff and fsmonitor commands are never run."""
    marker = tmp_path / "pwned"
    _git(repo, "config", "diff.evil.textconv", f"sh -c 'touch {marker}; cat \"$1\"' --")
    _git(repo, "config", "diff.external", f"sh -c 'touch {marker}'")
    _git(repo, "config", "core.fsmonitor", f"sh -c 'touch {marker}'")
    (repo / ".gitattributes").write_text("* diff=evil\n")
    _git(repo, "add", ".gitattributes")
    _git(repo, "-c", "core.fsmonitor=false", "commit", "-q", "-m", "attributes")
    marker.unlink(missing_ok=True)
    _, facts, _ = scan_tree(repo, ruleset, git_history=True)
    assert facts.data["history"]["status"] == "ok"
    assert not marker.exists()


def test_command_line(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "hasil.json"
    result = CliRunner().invoke(main, ["scan", str(repo), "--probe", "code", "--git-history", "--no-store",
                                       "--fail-on", "high", "--json", str(out)])
    assert result.exit_code == 1, result.output
    assert "PND-CODE-027" in out.read_text()


def test_a_since_value_is_never_an_option(repo: Path, ruleset: RuleSet) -> None:
    _, facts, _ = scan_tree(repo, ruleset, git_history="--output=/tmp/pindai-x")
    assert facts.data["history"]["status"] == "inconclusive"
    assert not Path("/tmp/pindai-x").exists()
