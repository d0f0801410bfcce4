"""Rule loading and validation: bad rules are reported with file, rule id and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.judging.regulations import RegulationIndex
from scanner.judging.rules import RuleValidationError, load_rules
from tests.support import RULE


def _errors(path: Path, regulations: RegulationIndex) -> list[str]:
    with pytest.raises(RuleValidationError) as info:
        load_rules(path, regulations)
    return [str(e) for e in info.value.errors]


def test_valid_pack_loads_and_compiles(write_pack, regulations):
    ruleset = load_rules(write_pack(RULE), regulations)
    assert [r.id for r in ruleset.rules] == ["PND-TEST-001"]
    assert ruleset.version.startswith("0.")
    assert ruleset.for_probe("tls")[0].spec.references == ["test-law:1"]


def test_unknown_reference_names_file_rule_and_field(write_pack, regulations):
    path = write_pack(RULE.replace("test-law:1", "test-law:99"))
    assert _errors(path, regulations) == [
        f"{path}: PND-TEST-001: references: unknown regulation reference 'test-law:99'"
    ]


def test_cel_syntax_error_is_reported(write_pack, regulations):
    path = write_pack(RULE.replace('p.name in ["SSLv3", "TLSv1.0"])', "p.name in )"))
    (error,) = _errors(path, regulations)
    assert error.startswith(f"{path}: PND-TEST-001: when: CEL syntax error")


def test_missing_and_mistyped_fields(write_pack, regulations):
    broken = RULE.replace("severity: high", "severity: severe").replace(
        'remediation:\n  id: ["Matikan protokol lama."]\n', "remediation:\n"
    )
    errors = _errors(write_pack(broken), regulations)
    assert any(": PND-TEST-001: severity: " in e for e in errors)
    assert any(": PND-TEST-001: remediation.id: Field required" in e for e in errors)


def test_unknown_field_is_rejected(write_pack, regulations):
    errors = _errors(write_pack(RULE + "severtiy: low\n"), regulations)
    assert any("PND-TEST-001: severtiy: Extra inputs are not permitted" in e for e in errors)


def test_bad_rule_id(write_pack, regulations):
    errors = _errors(write_pack(RULE.replace("PND-TEST-001", "tls1")), regulations)
    assert any(": tls1: id: String should match pattern" in e for e in errors)


def test_template_syntax_error(write_pack, regulations):
    path = write_pack(RULE.replace("{{ item.name }} diterima", "{{ item.name diterima"))
    (error,) = _errors(path, regulations)
    assert error.startswith(f"{path}: PND-TEST-001: message.id: template error:")


def test_template_check_is_skipped_only_for_a_pack_text_that_passed_it(write_pack, regulations, tmp_path,
                                                                      monkeypatch):
    monkeypatch.setenv("PINDAI_CACHE_DIR", str(tmp_path / "cache"))
    bad = RULE.replace("{{ item.name }} diterima", "{{ item.name diterima")
    for _ in range(2):  # a failing pack is never marked as checked
        (error,) = _errors(write_pack(bad), regulations)
        assert "message.id: template error:" in error
    load_rules(write_pack(RULE), regulations)
    assert len(list((tmp_path / "cache" / "templates-checked").iterdir())) == 1
    (error,) = _errors(write_pack(bad), regulations)  # edited text: checked again
    assert "message.id: template error:" in error


def test_duplicate_ids_across_packs(tmp_path, write_pack, regulations):
    write_pack(RULE, name="a.yaml")
    write_pack(RULE, name="b.yaml")
    errors = _errors(tmp_path, regulations)
    assert len(errors) == 1 and "b.yaml: PND-TEST-001: id: duplicate rule id (also in" in errors[0]


def test_invalid_yaml_and_empty_dir(tmp_path, regulations):
    (tmp_path / "x.yaml").write_text("rules: [\n")
    assert "invalid YAML" in _errors(tmp_path, regulations)[0]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "no rule packs" in _errors(empty, regulations)[0]


def test_every_error_is_reported_not_just_the_first(write_pack, regulations):
    second = RULE.replace("PND-TEST-001", "PND-TEST-002").replace("test-law:1", "nope:1")
    first = RULE.replace("severity: high", "severity: huge")
    errors = _errors(write_pack(first, second), regulations)
    assert any("PND-TEST-001: severity" in e for e in errors)
    assert any("PND-TEST-002: references" in e for e in errors)


def test_shipped_rules_all_load():
    ruleset = load_rules()
    assert ruleset.rules, "no shipped rules"
    probes = {r.probe for r in ruleset.rules}
    assert probes >= {"tls", "http"}
    for rule in ruleset.rules:
        assert rule.spec.remediation.id and rule.spec.remediation.en


def test_pack_defaults_let_names_and_optional_english_for_agency_packs(tmp_path, regulations):
    body = ("pack: kab\nprobe: database\nlet:\n  ID_KINDS: '[\"nik\", \"kk\"]'\n"
            "  IDENTITY: 'c.kind in ID_KINDS'\nrules:\n"
            "  - id: {id}\n    severity: low\n    title: {{id: Kolom identitas}}\n    description: {{id: Uraian}}\n"
            "    applies_when: 'facts.columns.size() > 0'\n"
            "    when: 'facts.columns.filter(c, IDENTITY && c.name != \"ID_KINDS\")'\n    item_key: item.name\n"
            "    message: {{id: Pesan}}\n    remediation: {{id: [Langkah]}}\n    references: ['test-law:1']\n")
    pack = tmp_path / "kab.yaml"
    pack.write_text(body.format(id="KAB-DB-001"))
    ruleset = load_rules(pack, regulations)
    rule = ruleset.rules[0]
    assert rule.probe == "database"
    assert rule.spec.when == 'facts.columns.filter(c, (c.kind in (["nik", "kk"])) && c.name != "ID_KINDS")'
    assert rule.spec.title.en == "Kolom identitas"  # shown when English is asked for
    assert {w.field for w in ruleset.warnings} == {"title.en", "description.en", "message.en", "remediation.en"}
    pack.write_text(body.format(id="PND-DB-901"))  # shipped rules keep both languages
    with pytest.raises(RuleValidationError, match=r"title\.en"):
        load_rules(pack, regulations)
