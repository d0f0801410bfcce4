"""The README's first set-up command: the demo scans the bundled targets, writes the report,
prints what it ran and keeps the scan in the history store for `pindai history`/`diff`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from fixtures.demo import run
from scanner.cli import main


def test_demo_writes_reports_and_stores_its_scan(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert run(out, "en") in (0, 1, 3)
    printed = capsys.readouterr().out
    assert "demo: pindai scan --profile" in printed and str(out / "demo-profile.toml") in printed
    result = json.loads((out / "demo-result.json").read_text())
    probes = {f["probe"] for f in result["facts"] if f["status"] == "ok"}
    assert probes >= {"tls", "http", "auth", "database", "sqlfile", "code"}
    assert len(result["findings"]) > 50
    assert (out / "demo-report.html").read_text().lstrip().lower().startswith("<!doctype html")
    history = CliRunner().invoke(main, ["history"])
    assert result["scan_id"] in history.output and "Demo Pemerintah" in history.output
