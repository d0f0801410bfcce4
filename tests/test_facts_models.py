"""Typed facts and options (#26): each probe's facts model describes what the probe returns, the
committed schemas are generated from the models, and real facts fit them."""

from __future__ import annotations

import ast
import json
import logging
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from scanner.cli import main
from scanner.factpaths import facts_schema, item_schema, unknown_paths
from scanner.model import COVERAGE_KEY, Facts, Target, TargetKind
from scanner.probes import specs
from scanner.probes.base import ProbeInconclusive
from scanner.probes.facts import FACTS_NOTE, check_facts, facts_schema_text
from scanner.probes.http.options import HttpOptions
from scanner.probes.tls.options import TlsOptions
from scanner.runner import fit_model

ROOT = Path(__file__).resolve().parent.parent


def _real_facts() -> list[tuple[str, str, dict[str, Any]]]:
    """(where, probe, facts) of every stored real observation: the examples, the reference scans and
    the recorded TLS observations."""
    found: list[tuple[str, str, dict[str, Any]]] = []
    for path in sorted((ROOT / "docs/facts/examples").glob("*.json")):
        found += [(f"{path.name}[{i}]", path.stem, e["facts"])
                  for i, e in enumerate(json.loads(path.read_text(encoding="utf-8")))]
    for name in ("demo-facts.json", "fleet-facts.json"):
        data = json.loads((ROOT / "tests/data" / name).read_text(encoding="utf-8"))
        found += [(f"{name}[{i}]", f["probe"], f["data"]) for i, f in enumerate(data["facts"])
                  if f["status"] == "ok" and f["data"]]
    for path in sorted((ROOT / "fixtures/tls").glob("facts-*.json")):
        found.append((path.name, "tls", json.loads(path.read_text(encoding="utf-8"))))
    return found


def test_every_probe_declares_a_facts_model_with_a_version() -> None:
    for name, spec in specs().items():
        assert spec.facts_model() is not None, name
        assert spec.facts_version(), name


def test_committed_schemas_are_generated_from_the_models() -> None:
    """docs/facts/<probe>.schema.json is what scripts/facts-schemas writes from the model: change the
    model, then run the script."""
    for name, spec in specs().items():
        model, version = spec.facts_model(), spec.facts_version()
        assert model is not None and version is not None
        committed = (ROOT / "docs/facts" / f"{name}.schema.json").read_text(encoding="utf-8")
        assert committed == facts_schema_text(name, model, version), f"run scripts/facts-schemas ({name})"
        assert json.loads(committed)["version"] == version


@pytest.mark.parametrize("where,probe,data", _real_facts(), ids=lambda v: v if isinstance(v, str) else "")
def test_real_facts_fit_their_model(where: str, probe: str, data: dict[str, Any]) -> None:
    model = specs()[probe].facts_model()
    assert model is not None
    assert check_facts(model, data) == [], where


def test_every_probe_has_real_facts_checked() -> None:
    assert {probe for _, probe, _ in _real_facts()} == set(specs())


def test_models_are_closed_so_an_undeclared_field_is_caught() -> None:
    model = specs()["tls"].facts_model()
    assert model is not None
    data = next(d for _, p, d in _real_facts() if p == "tls")
    assert check_facts(model, {**data, "protocol": []}) == ["protocol: Extra inputs are not permitted"]
    broken = {**data, "protocols": [{**data["protocols"][0], "accepted": "yes"}]}
    assert check_facts(model, broken) == ["protocols.0.accepted: Input should be a valid boolean"]  # strict


def test_the_runner_keeps_facts_that_do_not_fit_and_says_so(caplog: pytest.LogCaptureFixture) -> None:
    facts = Facts(probe="tls", target_id="https://portal.contoh.go.id/", data={"host": "x"})
    with caplog.at_level(logging.WARNING, logger="scanner.runner"):
        fit_model(facts)
    assert facts.status == "ok" and facts.data["host"] == "x"  # judged as it is
    assert [limit.code for limit in facts.limits] == [FACTS_NOTE]
    assert facts.data[COVERAGE_KEY][0]["limit"] > 1  # how many places do not fit
    assert "do not fit its facts model" in caplog.text and "port: Field required" in caplog.text


def test_the_runner_leaves_fitting_and_unknown_facts_alone() -> None:
    data = next(d for _, p, d in _real_facts() if p == "sqlfile")
    fitting = Facts(probe="sqlfile", target_id="dump.sql", data=json.loads(json.dumps(data)))
    fit_model(fitting)
    assert fitting.data == data
    foreign = Facts(probe="not-a-probe", target_id="x", data={"anything": 1})
    fit_model(foreign)
    assert foreign.data == {"anything": 1}


def test_the_runner_never_fails_on_a_broken_model(monkeypatch: pytest.MonkeyPatch) -> None:
    import scanner.runner as runner

    def broken(probe: str) -> Any:
        raise RuntimeError("model import failed")

    monkeypatch.setattr(runner, "_facts_model", broken)
    facts = Facts(probe="tls", target_id="x", data={"host": "x"})
    fit_model(facts)
    assert facts.data == {"host": "x"}


def test_item_key_paths_are_checked_against_the_items_when_returns(tmp_path: Path) -> None:
    schema = facts_schema("tls")
    assert schema is not None
    items = item_schema("facts.protocols.filter(p, p.accepted)", schema)
    assert items is not None
    assert [p.path for p in unknown_paths("item.nam", schema, {"item": items})] == ["item.nam"]
    assert item_schema('x ? [facts.certificate.leaf] : []', schema) is not None
    assert item_schema("facts.protocols.map(p, {'n': p.name})", schema) is None  # a new shape: not checked
    pack = tmp_path / "kab.yaml"
    pack.write_text(
        "pack: kab\nrules:\n  - id: KAB-TLS-001\n    probe: tls\n    severity: low\n"
        "    title: {id: Judul, en: Title}\n    description: {id: Uraian, en: Description}\n"
        "    applies_when: 'true'\n    when: 'facts.protocols.filter(p, p.accepted == true)'\n"
        "    item_key: item.nmae\n    message: {id: Pesan, en: Message}\n"
        "    remediation: {id: [Langkah], en: [Step]}\n    references: ['uu-pdp-2022:35']\n")
    result = CliRunner().invoke(main, ["rules", "validate", str(pack)])
    assert result.exit_code == 2
    assert f"{pack}: KAB-TLS-001: item_key: no such fact 'item.nmae'; did you mean 'name'?" in result.output


def test_open_and_mapping_fields_in_paths() -> None:
    """A mapping (``dict[str, X]``) accepts any key and checks below it; an open model accepts any name."""
    tls = facts_schema("tls")
    database = facts_schema("database")
    assert tls is not None and database is not None
    assert unknown_paths('facts.server_preference["TLSv1.2"] == true', tls) == []
    assert unknown_paths("facts.tables.exists(t, t.sample.coverage.pages > 0)", database) == []
    assert [p.path for p in unknown_paths("facts.tables.exists(t, t.sample.coverag.unit)", database)] == [
        "t.sample.coverag"]


def test_options_are_read_typed_with_their_defaults() -> None:
    target = Target(TargetKind.URL, "https://portal.contoh.go.id/", options={"max_pages": 3, "eigen": "x"})
    opts = HttpOptions.of(target)
    assert (opts.max_pages, opts.judol_pages, opts.exposures, opts.http_port, opts.verify) == (3, 5, True, 80, True)
    assert HttpOptions.of(Target(TargetKind.URL, "https://x/", options={"ca_bundle": "ca.pem"})).verify == "ca.pem"
    with pytest.raises(ProbeInconclusive, match=r"invalid options: options.tls_timeout: Input should be"):
        TlsOptions.of(Target(TargetKind.URL, "https://x/", options={"tls_timeout": "soon"}))


def test_probes_read_options_only_through_their_model() -> None:
    """No ``target.options`` inside a probe package except through its options model (``Options.of``)."""
    offenders = []
    for path in sorted((ROOT / "scanner/probes").rglob("*.py")):
        if path.parent == ROOT / "scanner/probes" or path.name == "options.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "options" and isinstance(node.value, ast.Name) \
                    and node.value.id == "target":
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []
