"""Fact paths in rules are checked against the probes' facts schemas, wherever they sit."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from scanner.cli import main
from scanner.factpaths import fact_areas, facts_schema, unknown_fields, unknown_paths
from scanner.rules import load_rules


def _rule(when: str, applies_when: str = "true") -> str:
    return ("  - id: KAB-TLS-001\n    probe: tls\n    severity: low\n    title: {id: Judul, en: Title}\n"
            "    description: {id: Uraian, en: Description}\n"
            f"    applies_when: '{applies_when}'\n    when: '{when}'\n"
            "    message: {id: Pesan, en: Message}\n    remediation: {id: [Langkah], en: [Step]}\n"
            "    references: ['uu-pdp-2022:35']\n")


def test_a_misspelt_path_inside_has_is_rejected_with_file_rule_and_field(tmp_path: Path) -> None:
    """`facts.tls.protocol` evaluates to "absent" inside has(), so example evaluation never saw it."""
    pack = tmp_path / "kab.yaml"
    pack.write_text("pack: kab\nrules:\n" + _rule("has(facts.tls.protocol) && facts.protocols.size() > 0",
                                                  applies_when="has(facts.protocol)"))
    result = CliRunner().invoke(main, ["rules", "validate", str(pack)])
    assert result.exit_code == 2
    assert f"{pack}: KAB-TLS-001: when: no such fact 'facts.tls' (known here: certificate," in result.output
    assert f"{pack}: KAB-TLS-001: applies_when: no such fact 'facts.protocol'; did you mean 'protocols'?" in (
        result.output)


def test_misspellings_in_macros_ternaries_and_applies_when() -> None:
    schema = facts_schema("tls")
    assert schema is not None
    assert [p.path for p in unknown_paths("facts.protocol.exists(p, p.accepted)", schema)] == ["facts.protocol"]
    assert [p.path for p in unknown_paths("facts.protocols.exists(p, p.acepted == true)", schema)] == ["p.acepted"]
    assert [p.path for p in unknown_paths('x ? facts.certificate.leaf.key_bitz : "s.facts.no"', schema)] == [
        "facts.certificate.leaf.key_bitz"]
    assert unknown_paths("facts.protocols.filter(p, p.accepted).map(p, p.name).size() > 0", schema) == []


def test_every_shipped_rule_reads_only_known_facts() -> None:
    for rule in load_rules().rules:
        schema = facts_schema(rule.probe)
        assert schema is not None, rule.probe
        for field in ("when", "applies_when"):
            assert unknown_paths(getattr(rule.spec, field) or "true", schema) == [], (rule.id, field)


def test_example_facts_fit_the_schemas() -> None:
    """The schemas are generated from the facts models (scripts/facts-schemas): an example with a field
    the model does not declare is stale or foreign (tests/test_facts_models.py validates them fully)."""
    for path in sorted(Path("docs/facts/examples").glob("*.json")):
        schema = facts_schema(path.stem)
        assert schema is not None and schema.get("version")
        for entry in json.loads(path.read_text(encoding="utf-8")):
            assert unknown_fields(entry["facts"], schema) == [], path.name


def test_unknown_fields_of_written_facts() -> None:
    schema = facts_schema("tls")
    assert schema is not None
    assert [str(p.path) for p in unknown_fields({"protocols": [{"name": "TLSv1.0", "acepted": True}]}, schema)] == [
        "facts.protocols[0].acepted"]


def test_fact_areas_skip_string_literals() -> None:
    assert fact_areas('has(facts.server.hba_rules) && "facts.x" == facts.columns[0]') == (
        "server", "hba_rules", "columns")
