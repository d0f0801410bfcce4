"""PHP and JavaScript analysis with semgrep on real Laravel/CodeIgniter/plain-PHP and Express trees.

fixtures/source/{php,express}-weak carry each weakness of PND-CODE-020..026; their hardened twins
fix every one. semgrep runs from its own venv (scripts/setup-venv.sh), as ``pip install
'pindai[sast]'`` would install it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from scanner.judging.rules import RuleSet, load_rules
from tests.probes.code.helpers import FIXTURES, REPO, scan_tree

SEMGREP = REPO / ".venv-semgrep" / "bin" / "semgrep"
SAST_RULES = {f"PND-CODE-{n:03d}" for n in range(20, 27)}
CANARY_NIK = "3169994107909999"

pytestmark = pytest.mark.skipif(not SEMGREP.exists(), reason="semgrep venv missing: run scripts/setup-venv.sh")


@pytest.fixture
def semgrep(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PINDAI_SEMGREP", str(SEMGREP))


@pytest.fixture(scope="module")
def ruleset() -> RuleSet:
    return load_rules()


@pytest.mark.usefixtures("semgrep")
@pytest.mark.parametrize(("tree", "expected"), [
    ("php-weak", SAST_RULES),
    ("express-weak", SAST_RULES - {"PND-CODE-024"}),  # CSRF switch-off is a Laravel/CodeIgniter setting
])
def test_each_weakness_is_found(tree: str, expected: set[str], ruleset: RuleSet) -> None:
    _, facts, judgement = scan_tree(FIXTURES / tree, ruleset)
    assert facts.data["sast"]["status"] == "ok", facts.data["sast"]
    fired = {f.rule_id for f in judgement.findings} & SAST_RULES
    assert fired == expected
    for finding in judgement.findings:
        if finding.rule_id in SAST_RULES:
            assert finding.evidence["file"] and finding.evidence["line"] > 0


@pytest.mark.usefixtures("semgrep")
@pytest.mark.parametrize("tree", ["php-hardened", "express-hardened"])
def test_hardened_twins_are_silent(tree: str, ruleset: RuleSet) -> None:
    _, facts, judgement = scan_tree(FIXTURES / tree, ruleset)
    assert facts.data["sast"]["status"] == "ok"
    assert facts.data["sast"]["files"] > 0
    assert not {f.rule_id for f in judgement.findings} & SAST_RULES


@pytest.mark.usefixtures("semgrep")
def test_snippets_are_masked(ruleset: RuleSet) -> None:
    _, facts, judgement = scan_tree(FIXTURES / "php-weak", ruleset)
    logged = [f for f in facts.data["sast"]["findings"] if f["category"] == "personal-data-logged"]
    assert any("nik" in f["code"] for f in logged)
    assert CANARY_NIK not in json.dumps(facts.data)
    assert CANARY_NIK not in json.dumps([f.to_dict() for f in judgement.findings])


def test_without_semgrep_the_checks_are_not_configured(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                      ruleset: RuleSet) -> None:
    monkeypatch.setenv("PINDAI_SEMGREP", str(tmp_path / "no-semgrep"))
    _, facts, judgement = scan_tree(FIXTURES / "php-weak", ruleset)
    sast = facts.data["sast"]
    assert sast["status"] == "not-configured"
    assert "pindai[sast]" in sast["reason"] and "pipx inject pindai semgrep" in sast["reason"]
    assert not {f.rule_id for f in judgement.findings} & SAST_RULES


def test_vendor_and_node_modules_are_left_to_the_dependency_check(tmp_path: Path, ruleset: RuleSet,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PINDAI_SEMGREP", str(SEMGREP))
    (tmp_path / "vendor" / "lib").mkdir(parents=True)
    (tmp_path / "vendor" / "lib" / "x.php").write_text("<?php eval($_GET['c']);\n")
    _, facts, _ = scan_tree(tmp_path, ruleset)
    assert facts.data["sast"]["status"] == "skipped"


WEAK_PHP = "<?php\neval($_GET['c']);\n"


def _recording_semgrep(tmp_path: Path) -> tuple[Path, Path]:
    """A semgrep that logs each start (its arguments) and keeps the JSON it printed; semgrep gets no env."""
    calls, output = tmp_path / "calls.log", tmp_path / "semgrep.json"
    wrapper = tmp_path / "semgrep-recording"
    wrapper.write_text(f'#!/bin/sh\necho "$*" >> "{calls}"\n"{SEMGREP}" "$@" > "{output}"\nrc=$?\n'
                       f'cat "{output}"\nexit $rc\n')
    wrapper.chmod(0o755)
    return wrapper, calls


def test_files_the_walk_left_out_never_reach_semgrep(tmp_path: Path, ruleset: RuleSet,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    tree, outside = tmp_path / "app", tmp_path / "outside"
    for rel in ("src/app.php", "tests/unit/t.php", "legacy/old.php", "node_modules/x/index.js"):
        (tree / rel).parent.mkdir(parents=True, exist_ok=True)
        (tree / rel).write_text(WEAK_PHP if rel.endswith(".php") else "eval(req.query.c);\n")
    (tree / ".pindaiignore").write_text("legacy/\n")
    (tree / "src" / "huge.php").write_text(WEAK_PHP + "// padding\n" * 110_000)  # over the 1 MiB cap
    outside.mkdir()
    (outside / "linked.php").write_text(WEAK_PHP)
    (tree / "src" / "linked.php").symlink_to(outside / "linked.php")
    (tree / "linked").symlink_to(outside, target_is_directory=True)
    wrapper, calls = _recording_semgrep(tmp_path)
    monkeypatch.setenv("PINDAI_SEMGREP", str(wrapper))

    _, facts, _ = scan_tree(tree, ruleset)

    sast = facts.data["sast"]
    assert sast["status"] == "ok", sast
    assert re.fullmatch(r"\d+\.\d+\.\d+", sast["version"]), sast["version"]  # from the JSON output
    # tests/ is kept: semgrep's own default ignore list (tests/, build/, *.min.js...) must not apply
    assert {f["file"] for f in sast["findings"]} == {"src/app.php", "tests/unit/t.php"}
    scanned = json.loads((tmp_path / "semgrep.json").read_text())["paths"]["scanned"]
    assert sorted(scanned) == ["src/app.php", "tests/unit/t.php"]
    started = calls.read_text().splitlines()
    assert len(started) == 1, started  # one semgrep per scan: no batches, no `semgrep --version`
    assert "--metrics off" in started[0] and str(tree) not in started[0]


@pytest.mark.usefixtures("semgrep")
def test_latin1_source_is_analysed_as_the_walk_read_it(tmp_path: Path, ruleset: RuleSet) -> None:
    (tmp_path / "login.php").write_bytes(b"<?php\n// caf\xe9\n$h = md5($password);\n")
    _, facts, _ = scan_tree(tmp_path, ruleset)
    assert [(f["check"], f["line"]) for f in facts.data["sast"]["findings"]] == [("php-weak-password-hash", 3)]
