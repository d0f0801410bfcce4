"""JSON: valid against docs/schemas/result.schema.json and readable by `pindai report`/`rejudge`."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from scanner.cli import main
from scanner.judging.rules import RuleSet
from scanner.model import ScanResult
from scanner.report.json_report import REPORT_VERSION, render
from tests.report.fixtures import PACK
from tests.report.validation import errors, result_validator


def test_valid_against_documented_schema(result: ScanResult, ruleset: RuleSet) -> None:
    for lang in ("id", "en"):
        document = json.loads(render(result, ruleset, lang))
        assert errors(result_validator(), document) == []
        assert document["report_version"] == REPORT_VERSION


def test_schema_catches_drift(result: ScanResult, ruleset: RuleSet) -> None:
    document = json.loads(render(result, ruleset, "en"))
    document["findings"][0]["severity"] = "urgent"
    del document["summary"]["risk_posture"]
    assert len(errors(result_validator(), document)) == 2


def test_summary_blocks(result: ScanResult, ruleset: RuleSet) -> None:
    summary = json.loads(render(result, ruleset, "en"))["summary"]
    assert summary["severity_counts"] == {"critical": 1, "high": 3, "medium": 1, "low": 1, "info": 1}
    assert summary["risk_posture"] == "critical" and summary["suppressed_findings"] == 1
    assert summary["top_fixes"][0]["rule_id"] == "PND-DB-901"
    tls = next(fx for fx in summary["top_fixes"] if fx["rule_id"] == "PND-TLS-901")
    assert tls["findings"] == 2 and len(tls["targets"]) == 2
    assert summary["by_agency"][0]["agency"] == "Dinas Kesehatan"


def test_round_trip(result: ScanResult, ruleset: RuleSet) -> None:
    again = ScanResult.from_dict(json.loads(render(result, ruleset, "id")))
    assert [f.fingerprint for f in again.findings] == [f.fingerprint for f in result.findings]
    assert [t.id for t in again.targets] == [t.id for t in result.targets]
    assert again.targets[0].declared_at == "profiles/kota.toml:12"


def test_cli_report_reads_it_back(result: ScanResult, ruleset: RuleSet, tmp_path: Path) -> None:
    pack = tmp_path / "pack.yaml"
    pack.write_text(PACK, encoding="utf-8")
    stored = tmp_path / "result.json"
    stored.write_text(render(result, ruleset, "en"), encoding="utf-8")
    outputs = {fmt: tmp_path / f"out.{fmt}" for fmt in ("html", "sarif", "junit", "csv", "markdown", "json")}
    args = ["report", str(stored), "--rules", str(pack), "--lang", "en", "--per-agency-dir", str(tmp_path / "agencies")]
    for fmt, path in outputs.items():
        args += [f"--{fmt}", str(path)]
    run = CliRunner().invoke(main, args)
    assert run.exit_code == 0, run.output
    assert all(p.stat().st_size > 0 for p in outputs.values())
    written = sorted(p.name for p in (tmp_path / "agencies").iterdir())
    assert written == ["bkd.html", "dinas-kesehatan.html", "disdukcapil.html", "unassigned.html"]
    again = json.loads(outputs["json"].read_text(encoding="utf-8"))
    assert errors(result_validator(), again) == []


def test_cli_rejudge_reads_it_back(result: ScanResult, ruleset: RuleSet, tmp_path: Path) -> None:
    pack = tmp_path / "pack.yaml"
    pack.write_text(PACK, encoding="utf-8")
    stored = tmp_path / "result.json"
    stored.write_text(render(result, ruleset, "id"), encoding="utf-8")
    sarif = tmp_path / "again.sarif"
    run = CliRunner().invoke(main, ["rejudge", str(stored), "--rules", str(pack), "--sarif", str(sarif)])
    assert run.exit_code in (0, 1, 3), run.output  # never 2: the stored JSON is a valid result
    assert json.loads(sarif.read_text(encoding="utf-8"))["version"] == "2.1.0"
