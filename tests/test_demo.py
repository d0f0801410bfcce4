"""The README's first set-up command: the demo scans the bundled targets, writes the report,
prints what it ran and how to go on, and keeps the scan in its own store under out/."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from fixtures.demo import run
from scanner.cli import main
from scanner.history.store import default_store_url


def test_demo_writes_reports_and_keeps_its_scan_in_its_own_store(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    users_store = Path(default_store_url().removeprefix("sqlite:///"))
    assert not users_store.exists()
    out = tmp_path / "out"
    assert run(out, "en") in (0, 1, 3)
    printed = capsys.readouterr().out
    assert "demo: pindai scan --profile" in printed and str(out / "demo-profile.toml") in printed
    assert ".venv/bin/pindai history --store" in printed and "pipx install ." in printed
    result = json.loads((out / "demo-result.json").read_text())
    probes = {f["probe"] for f in result["facts"] if f["status"] == "ok"}
    assert probes >= {"tls", "http", "auth", "database", "sqlfile", "code"}
    assert len(result["findings"]) > 50
    assert (out / "demo-report.html").read_text().lstrip().lower().startswith("<!doctype html")
    assert not users_store.exists()  # the user's default history store is untouched
    history = CliRunner().invoke(main, ["history", "--store", f"sqlite:///{out / 'demo-history.db'}"])
    assert result["scan_id"] in history.output and "Demo Pemerintah" in history.output
