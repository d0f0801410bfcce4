"""The CodeProbe contract: registration, applicability, inconclusive sub-checks."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from scanner.judging.rules import RuleSet
from scanner.model import Target, TargetKind
from scanner.probes import load_probes
from scanner.probes.base import ProbeContext, ProbeInconclusive
from scanner.probes.code import sql as code_sql
from scanner.probes.code.probe import CodeProbe
from tests.probes.code.helpers import FIXTURES, scan_tree


def test_registered_and_applies_to_source_directories_only() -> None:
    (probe,) = load_probes(["code"])
    assert isinstance(probe, CodeProbe) and probe.name == "code"
    assert probe.applies_to(Target(TargetKind.SOURCE, "src"))
    assert not probe.applies_to(Target(TargetKind.SQLFILE, "dump.sql"))
    assert not probe.applies_to(Target(TargetKind.URL, "https://contoh.go.id/"))


def test_missing_directory_is_inconclusive(tmp_path: Path) -> None:
    with pytest.raises(ProbeInconclusive):
        CodeProbe().run(Target(TargetKind.SOURCE, str(tmp_path / "absent")), ProbeContext())


def test_facts_are_plain_json(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("import yaml\nyaml.load(open('x'))\n")
    data = CodeProbe().run(Target(TargetKind.SOURCE, str(tmp_path)), ProbeContext())
    assert set(data) == {"root", "inventory", "bandit", "secrets", "settings", "env_files", "sql", "sast",
                         "data_files", "dependencies"}
    assert data["sast"]["status"] == "skipped"  # no PHP or JavaScript files
    (issue,) = data["bandit"]["issues"]
    assert (issue["test_id"], issue["file"], issue["line"], issue["severity"], issue["cwe"]) == (
        "B506", "app.py", 2, "medium", 20)


def test_without_bandit_the_python_check_is_inconclusive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ruleset: RuleSet
) -> None:
    monkeypatch.setitem(sys.modules, "bandit", None)  # import bandit -> ImportError
    (tmp_path / "app.py").write_text("x = 1\n")
    (tmp_path / ".env").write_text("DB_PASSWORD=" + "pindai-fixture-x\n")
    _, facts, judgement = scan_tree(tmp_path, ruleset)
    assert facts.data["bandit"]["status"] == "inconclusive"
    # the bandit rules apply only where bandit ran (their pack's applies_when): not applicable here, so
    # the compliance view says "not tested" for them; the other checks still work
    assert judgement.errors == []
    assert not {f"PND-CODE-00{n}" for n in range(1, 9)} & set(judgement.applicable)
    assert [f.rule_id for f in judgement.findings] == ["PND-CODE-013"]


def test_unanalysable_sql_file_is_inconclusive_on_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ruleset: RuleSet
) -> None:
    def boom(text: str, source: str) -> dict[str, object]:
        raise ValueError("cannot parse")

    monkeypatch.setattr(code_sql, "analyze_sql", boom)
    (tmp_path / "seed.sql").write_text("INSERT INTO x VALUES (1);\n")
    _, facts, judgement = scan_tree(tmp_path, ruleset)
    assert facts.data["sql"] == [{"path": "seed.sql", "status": "inconclusive", "reason": "ValueError: cannot parse"}]
    assert not judgement.errors and not judgement.findings


def test_fixture_trees_exist() -> None:
    assert (FIXTURES / "vulnerable" / "app.py").is_file() and (FIXTURES / "clean" / "app.py").is_file()


def test_file_caps_make_the_observation_partial(tmp_path: Path) -> None:
    from dataclasses import replace

    from scanner.model import Facts
    from scanner.probes.code.patterns import load_detectors
    from scanner.probes.code.probe import observe_tree

    for n in range(5):
        (tmp_path / f"m{n}.py").write_text("x = 1\n")
    (tmp_path / "big.py").write_text("#" * 5000 + "\n")
    data = observe_tree(tmp_path, replace(load_detectors(), max_files=3, max_file_bytes=4096))
    limits = {x.code: (x.limit, x.total) for x in Facts("code", str(tmp_path), data).limits}
    assert limits == {"code_files": (3, 5), "code_file_bytes": (4096, 1)}
    assert not Facts("code", str(tmp_path), observe_tree(tmp_path)).limits  # default caps: the whole tree
