"""``pindai scan`` when its own work fails: a report that cannot be written (full or read-only file
system) and an internal error. Each is one line on stderr with its documented exit code (README: 4 and
5), never a traceback, never the findings code; no torn report file is left; what was observed is kept.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner.cli import main
from tests.services.filesystems import fill, tmpfs

ROOT = Path(__file__).resolve().parents[2]
PINDAI = str(ROOT / ".venv" / "bin" / "pindai")
VULNERABLE = ROOT / "fixtures" / "source" / "vulnerable"
OLD_REPORT = '{"old": "report"}'


@pytest.fixture
def small_tmpfs(tmp_path: Path) -> Iterator[Path]:
    with tmpfs(tmp_path / "keluaran", "1m") as mount:
        yield mount


def _scan_with_reports(tmp_path: Path, bad: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PINDAI, "scan", str(VULNERABLE), "--probe", "code", "--fail-on", "high", "--json", str(bad / "hasil.json"),
         "--html", str(tmp_path / "laporan.html")],
        env=dict(os.environ, PINDAI_STORE=f"sqlite:///{tmp_path / 'history.db'}"), capture_output=True,
        text=True, timeout=120)


def test_report_write_error_is_one_line_and_exit_4(tmp_path: Path, small_tmpfs: Path) -> None:
    """The vulnerable tree has high findings (exit 1 with --fail-on high); a report that cannot be written
    (a full file system: the pre-scan check can create a file there, the report does not fit) wins with
    exit 4, the old file is intact (never truncated), no temporary file is left, the HTML report in
    another directory is still written, and the scan is stored complete."""
    (small_tmpfs / "hasil.json").write_text(OLD_REPORT, encoding="utf-8")
    fill(small_tmpfs)
    done = _scan_with_reports(tmp_path, small_tmpfs)
    assert done.returncode == 4, done.stderr
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("pindai: cannot write")]
    assert len(errors) == 1 and str(small_tmpfs / "hasil.json") in errors[0], done.stderr
    assert (small_tmpfs / "hasil.json").read_text(encoding="utf-8") == OLD_REPORT
    assert sorted(p.name for p in small_tmpfs.iterdir() if p.name != "isi") == ["hasil.json"]
    assert "<html" in (tmp_path / "laporan.html").read_text(encoding="utf-8").lower()
    with sqlite3.connect(tmp_path / "history.db") as db:
        assert db.execute("SELECT status FROM pindai_scans").fetchall() == [("complete",)]


def test_read_only_report_folder_stops_before_the_scan(tmp_path: Path, small_tmpfs: Path) -> None:
    """A folder known to be unwritable before the scan (read-only file system): exit 2 before any
    traffic, one line naming the file, the old report intact, nothing scanned or stored."""
    (small_tmpfs / "hasil.json").write_text(OLD_REPORT, encoding="utf-8")
    subprocess.run(["mount", "-o", "remount,ro", str(small_tmpfs)], check=True)
    done = _scan_with_reports(tmp_path, small_tmpfs)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    (line,) = [line for line in done.stderr.splitlines() if line.startswith("pindai:")]
    assert str(small_tmpfs / "hasil.json") in line and "cannot write the report there" in line
    assert (small_tmpfs / "hasil.json").read_text(encoding="utf-8") == OLD_REPORT
    assert not (tmp_path / "laporan.html").exists() and not (tmp_path / "history.db").exists()


def test_internal_error_marks_the_scan_failed_and_exits_5(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug while judging (simulated: the judge raises): one line, exit 5, the scan stored `failed` with its
    observation; `--resume` (bug gone) completes it from the stored observation."""
    import scanner.running.scan

    store = tmp_path / "history.db"
    monkeypatch.setenv("PINDAI_STORE", f"sqlite:///{store}")

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("rusak")

    with monkeypatch.context() as patch:
        patch.setattr(scanner.running.scan, "judge", broken)
        done = CliRunner().invoke(main, ["scan", str(VULNERABLE), "--probe", "code", "--fail-on", "high"])
    assert done.exit_code == 5, done.output
    assert "internal error: RuntimeError: rusak" in done.stderr
    assert "stored as failed" in done.stderr and "Traceback" not in done.output
    with sqlite3.connect(store) as db:
        assert db.execute("SELECT status FROM pindai_scans").fetchall() == [("failed",)]
        assert db.execute("SELECT probe FROM pindai_facts").fetchall() == [("code",)]

    resumed = CliRunner().invoke(main, ["scan", "--resume", "--format", "json", "--fail-on", "high"])
    assert resumed.exit_code == 1, resumed.stderr
    assert "1 observation already stored" in resumed.stderr
    assert json.loads(resumed.stdout)["findings"]
    with sqlite3.connect(store) as db:
        assert db.execute("SELECT status FROM pindai_scans").fetchall() == [("complete",)]


def test_a_rendering_bug_exits_5_and_keeps_the_stored_scan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug in the terminal view (simulated): one line, exit 5, the scan stays stored complete."""
    import scanner.commands.common

    store = tmp_path / "history.db"
    monkeypatch.setenv("PINDAI_STORE", f"sqlite:///{store}")

    def broken(*_args: object, **_kwargs: object) -> str:
        raise ValueError("tabel rusak")

    monkeypatch.setattr(scanner.commands.common, "_terminal_table", broken)
    done = CliRunner().invoke(main, ["scan", str(VULNERABLE), "--probe", "code", "--fail-on", "high"])
    assert done.exit_code == 5, done.output
    assert "internal error: ValueError: tabel rusak; the scan is stored; pindai report" in done.stderr
    with sqlite3.connect(store) as db:
        assert db.execute("SELECT status FROM pindai_scans").fetchall() == [("complete",)]
