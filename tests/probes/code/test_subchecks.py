"""One failing sub-check of the code probe is recorded as inconclusive in its own place; the others stay."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from fixtures.synthetic import make_faker
from scanner.probes.code import datafiles
from scanner.probes.code import probe as code_probe
from scanner.probes.code.probe import observe_tree

BROKEN = {"status": "inconclusive", "reason": "RuntimeError: sub-check broke"}


def _broken(*args: object, **kwargs: object) -> Any:
    raise RuntimeError("sub-check broke")


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A small application: Python for bandit, a .env secret, a migration, two data exports, a lock file."""
    fake = make_faker()
    fake.seed_instance(2026)
    rows = [{"nik": fake.nik(), "nama": fake.name(), "no_hp": fake.phone_id()} for _ in range(12)]
    (tmp_path / "app.py").write_text("import yaml\nyaml.load(open('x'))\n")
    (tmp_path / ".env").write_text("DB_PASSWORD=" + "pindai-fixture-x\n")
    (tmp_path / "seed.sql").write_text("CREATE TABLE pasien (nik varchar(16), nama text);\n")
    (tmp_path / "penduduk.json").write_text(json.dumps(rows))
    (tmp_path / "warga.json").write_text(json.dumps(rows[::-1]))
    (tmp_path / "requirements.txt").write_text("django==3.2.0\n")
    return tmp_path


def _without(facts: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in facts.items() if k not in keys}


@pytest.mark.parametrize(("name", "function"), [
    ("dependencies", "dependency_facts"), ("bandit", "run_bandit"), ("sast", "run_sast"),
    ("data_files", "analyze_data_files"),
])
def test_a_failing_sub_check_leaves_the_others(monkeypatch: pytest.MonkeyPatch, tree: Path, name: str,
                                               function: str) -> None:
    whole = observe_tree(tree)
    monkeypatch.setattr(code_probe, function, _broken)
    facts = observe_tree(tree)
    assert facts[name] == BROKEN
    assert _without(facts, name) == _without(whole, name)


def test_a_file_whose_secret_scan_fails_is_listed_and_the_others_are_scanned(monkeypatch: pytest.MonkeyPatch,
                                                                            tree: Path) -> None:
    whole = observe_tree(tree)
    real = code_probe.scan_file
    monkeypatch.setattr(code_probe, "scan_file", lambda source, detectors: _broken() if source.rel == "app.py"
                        else real(source, detectors))
    facts = observe_tree(tree)
    assert facts["secrets"] == whole["secrets"] and [s["file"] for s in facts["secrets"]] == [".env"]
    assert facts["inventory"]["skipped"]["scan_failed"] == {"count": 1, "paths": ["app.py"]}
    assert facts["coverage_limits"] == [{"code": "code_files_unscanned", "limit": 1, "total": 6}]
    assert _without(facts, "inventory", "coverage_limits") == _without(whole, "inventory")


def test_a_data_file_that_breaks_the_reader_is_inconclusive_on_its_own(monkeypatch: pytest.MonkeyPatch,
                                                                       tree: Path) -> None:
    whole = observe_tree(tree)
    real, hostile = datafiles._assess, (tree / "warga.json").read_text()
    monkeypatch.setattr(datafiles, "_assess", lambda fmt, text: _broken() if text == hostile else real(fmt, text))
    facts = observe_tree(tree)
    items = {i["path"]: i for i in facts["data_files"]["items"]}
    assert items["warga.json"] == {"path": "warga.json", "format": "json", **BROKEN, "columns": []}
    assert [i for i in whole["data_files"]["items"] if i["path"] == "penduduk.json"] == [items["penduduk.json"]]
    assert items["penduduk.json"]["status"] == "ok"
    assert _without(facts, "data_files") == _without(whole, "data_files")
