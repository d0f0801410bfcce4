"""Personal data in committed data files (JSON, CSV, YAML), judged by the database column classifier."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import yaml

from fixtures.synthetic import make_faker
from scanner.judging.rules import RuleSet, load_rules
from tests.probes.code.helpers import scan_tree


@pytest.fixture(scope="module")
def ruleset() -> RuleSet:
    return load_rules()


def _residents(n: int = 12) -> list[dict[str, str]]:
    fake = make_faker()
    fake.seed_instance(2026)
    return [{"nik": fake.nik(), "nama": fake.name(), "no_hp": fake.phone_id(), "status": "aktif"} for _ in range(n)]


def test_exports_with_personal_data_are_reported_masked(tmp_path: Path, ruleset: RuleSet) -> None:
    rows = _residents()
    (tmp_path / "seed").mkdir()
    (tmp_path / "seed" / "penduduk.json").write_text(json.dumps(rows))
    with (tmp_path / "seed" / "ekspor.csv").open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    (tmp_path / "seed" / "fixture.yaml").write_text(yaml.safe_dump({"penduduk": rows}))
    _, facts, judgement = scan_tree(tmp_path, ruleset)
    data = facts.data["data_files"]
    assert data["files"] == 3
    by_path = {d["path"]: {c["kind"] for c in d["columns"]} for d in data["items"]}
    assert by_path == {p: {"nik", "name", "phone"} for p in
                       ("seed/penduduk.json", "seed/ekspor.csv", "seed/fixture.yaml")}
    findings = [f for f in judgement.findings if f.rule_id == "PND-CODE-028"]
    assert {f.item_key for f in findings} == set(by_path)
    dumped = json.dumps(facts.data) + json.dumps([f.to_dict() for f in judgement.findings])
    for row in rows:
        assert row["nik"] not in dumped and row["no_hp"] not in dumped


def test_ordinary_data_files_are_not_personal_data(tmp_path: Path, ruleset: RuleSet) -> None:
    (tmp_path / "package.json").write_text(json.dumps({"name": "portal-kab", "version": "1.0.0",
                                                       "author": "Dinas Kominfo", "dependencies": {"x": "4"}}))
    (tmp_path / "istilah.yaml").write_text(yaml.safe_dump({"health": ["diabetes", "hipertensi", "tuberkulosis",
                                                                      "HIV", "hepatitis B"]}))
    menu = [{"nama": "Beranda", "url": "/"}, {"nama": "Berita", "url": "/b"}, {"nama": "Kontak", "url": "/k"}]
    (tmp_path / "menu.yaml").write_text(yaml.safe_dump(menu))
    (tmp_path / "wilayah.csv").write_text("kode,nama\n32.01,Kabupaten Bogor\n32.02,Kabupaten Sukabumi\n"
                                          "32.03,Kabupaten Cianjur\n")
    _, facts, judgement = scan_tree(tmp_path, ruleset)
    assert facts.data["data_files"]["items"] == []
    assert not [f for f in judgement.findings if f.rule_id == "PND-CODE-028"]


def test_broken_data_file_is_inconclusive_not_fatal(tmp_path: Path, ruleset: RuleSet) -> None:
    (tmp_path / "rusak.json").write_text("{" * 5000)
    (tmp_path / "rusak.yaml").write_text("a: [1, 2\n")
    _, facts, _ = scan_tree(tmp_path, ruleset)
    assert {d["status"] for d in facts.data["data_files"]["items"]} == {"inconclusive"}
