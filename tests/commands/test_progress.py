"""Scan progress: the live display (terminal only) counts targets and observations, and every scan ends
with one closing line on standard error whose numbers are the JSON result's."""

from __future__ import annotations

import io
import json
import os
import pty
import re
import select
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console

from scanner.cli import main
from scanner.commands.progress import MAX_ROWS, ScanTally, clock, scan_progress
from scanner.model import Facts
from scanner.running.politeness import HostGate

ROOT = Path(__file__).resolve().parent.parent.parent
PINDAI = str(ROOT / ".venv" / "bin" / "pindai")
SOURCE = ROOT / "fixtures" / "source"
DUMP = ROOT / "fixtures" / "db" / "sample_dump.sql"
CLOSING = re.compile(r"^done: (\d+) targets \((\d+) inconclusive, (\d+) partial\), (\d+) observations; "
                     r"open findings: critical (\d+), high (\d+), medium (\d+), low (\d+), info (\d+); "
                     r"time \d+:\d\d:\d\d; report: (.*); history: (.*)$", re.M)


def _console() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, force_terminal=True, width=200, color_system=None), out


def _tally(jobs: list[tuple[str, str]]) -> ScanTally:
    expected: dict[str, set[str]] = {}
    for target, probe in jobs:
        expected.setdefault(target, set()).add(probe)
    return ScanTally(expected)


def test_one_url_scan_shows_each_probe_targets_and_connections() -> None:
    url = "https://portal.contoh.go.id/"
    gate = HostGate()
    tally = _tally([(url, "tls"), (url, "http"), (url, "auth")])
    console, out = _console()
    with scan_progress(tally, gate, "en", console) as finished:
        with gate.slot("portal.contoh.go.id"), gate.slot("portal.contoh.go.id"):
            pass
        finished(Facts("tls", url))
        finished(Facts("http", url, status="inconclusive", reason="timed out"))
    text = out.getvalue()
    for probe in ("tls", "http", "auth"):
        assert f"{probe}" in text
    assert "2 conn." in text and "inconclusive" in text
    assert "targets 0/1 (1 inconclusive, 0 partial) · observations 2/3" in text and "ETA estimating" in text


def test_large_scans_show_only_the_overall_line_in_the_report_language() -> None:
    tally = _tally([(f"https://h{i}.go.id/", "http") for i in range(MAX_ROWS + 1)])
    console, out = _console()
    with scan_progress(tally, HostGate(), "id", console) as finished:
        finished(Facts("http", "https://h0.go.id/"))
    text = out.getvalue()
    assert "h5.go.id" not in text and f"target 1/{MAX_ROWS + 1}" in text and "sisa memperkirakan" in text


def test_eta_waits_for_enough_targets_and_counts_each_observation_once() -> None:
    tally = _tally([(f"t{i}", p) for i in range(100) for p in ("http", "tls")])
    for i in range(4):
        tally.add(Facts("http", f"t{i}"))
        tally.add(Facts("http", f"t{i}"))  # reported twice: counted once
        tally.add(Facts("tls", f"t{i}", data={"_coverage": [{"code": "max_bytes"}]} if i == 0 else {}))
    assert (tally.targets_done, tally.observed, tally.observations) == (4, 8, 200)
    assert tally.eta() is None  # 5 of 100 targets needed
    tally.add(Facts("http", "t4", status="inconclusive"))
    tally.add(Facts("tls", "t4"))
    assert tally.eta() is not None and len(tally.inconclusive) == 1
    assert clock(3725) == "1:02:05"


def test_nothing_is_drawn_when_stderr_is_not_a_terminal(capsys) -> None:
    with scan_progress(_tally([("x", "tls")]), HostGate(), "en") as finished:
        finished(Facts("tls", "x"))
    assert capsys.readouterr().err == ""


def test_closing_line_numbers_are_the_json_result(tmp_path) -> None:
    report = tmp_path / "hasil.json"
    result = CliRunner().invoke(main, [
        "scan", str(SOURCE / "vulnerable"), str(SOURCE / "clean"), str(DUMP), "https://127.0.0.1:1/",
        "--probe", "code", "--probe", "sqlfile", "--probe", "http", "--no-store", "--lang", "en",
        "--format", "json", "--json", str(report)])
    assert result.exit_code == 3, result.stderr
    data = json.loads(result.stdout)
    (line,) = CLOSING.findall(result.stderr)
    inconclusive = {row["target_id"] for row in data["summary"]["inconclusive"]}
    cut = {note["target_id"] for note in data["summary"]["coverage"]}
    observed = {f["target_id"] for f in data["facts"] if f["status"] == "ok"}
    unassessed = cut | {t["id"] for t in data["targets"] if t["id"] not in observed}
    assert [int(n) for n in line[:9]] == [
        len(data["targets"]), len(inconclusive), len(unassessed - inconclusive), len(data["facts"]),
        *data["summary"]["severity_counts"].values()]
    assert line[1] == "1" and line[5] != "0"  # the unreachable URL; the vulnerable tree
    assert line[9:] == (f"standard output (json), {report}", "not stored (--no-store)")


def test_closing_line_in_bahasa_indonesia_names_the_store(tmp_path) -> None:
    store = f"sqlite:///{tmp_path / 'riwayat.db'}"
    result = CliRunner().invoke(main, ["scan", str(SOURCE / "clean"), "--probe", "code", "--store", store])
    assert result.exit_code == 0, result.stderr
    assert re.search(r"^selesai: 1 target \(0 tidak dapat disimpulkan, 0 sebagian\), 1 observasi; temuan terbuka: "
                     r"kritis 0, tinggi 0, sedang 0, rendah 0, info 0; waktu \d:\d\d:\d\d; laporan: keluaran "
                     rf"standar \(table\); riwayat: {re.escape(store)}, pemindaian \S+$", result.stderr, re.M)


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    return {**env, "TERM": "xterm-256color", "COLUMNS": "200", **extra}


def _scan_args(tmp_path: Path) -> list[str]:
    return [PINDAI, "scan", str(SOURCE / "vulnerable"), str(SOURCE / "clean"), str(DUMP), "--probe", "code",
            "--probe", "sqlfile", "--no-store", "--lang", "en", "--format", "json", "--processes", "2"]


def _on_terminal(tmp_path: Path, **env: str) -> tuple[int, str, dict[str, object]]:
    """Run the scan with standard error on a pseudo-terminal: exit code, what was drawn, the JSON on stdout."""
    import fcntl
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 200, 0, 0))
    report = tmp_path / "stdout.json"
    with report.open("w") as stdout:  # a file: a full pipe nobody reads would stall the scan
        proc = subprocess.Popen(_scan_args(tmp_path), stdout=stdout, stderr=follower, env=_env(**env), cwd=tmp_path)
    os.close(follower)
    drawn = b""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if select.select([leader], [], [], 0.5)[0]:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the process closed the terminal
                break
            if not chunk:
                break
            drawn += chunk
        elif proc.poll() is not None:
            break
    os.close(leader)
    return proc.wait(timeout=60), drawn.decode(errors="replace"), json.loads(report.read_text())


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
def test_terminal_shows_target_counts_with_processes(tmp_path) -> None:
    code, text, data = _on_terminal(tmp_path)
    assert code == 0, text
    assert re.search(r"targets [0-3]/3 \(0 inconclusive, 0 partial\) · observations [0-3]/3", text), text
    assert "targets 3/3" in text and "\x1b[38;5;" in text  # a live display, coloured, drawn and cleared
    assert re.search(r"done: 3 targets \(0 inconclusive, 0 partial\), 3 observations; [^\x1b]*$", text, re.M)
    assert len(data["facts"]) == 3  # standard output is the report only


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
def test_no_color_draws_without_colour(tmp_path) -> None:
    code, text, _ = _on_terminal(tmp_path, NO_COLOR="1")
    assert code == 0, text
    assert "targets 3/3" in text and not re.search(r"\x1b\[[0-9;]*3[0-9;]*m", text), text


def test_piped_runs_carry_no_escape_codes(tmp_path) -> None:
    done = subprocess.run(_scan_args(tmp_path), capture_output=True, text=True, env=_env(), cwd=tmp_path,
                          timeout=180)
    assert done.returncode == 0, done.stderr
    assert "\x1b" not in done.stderr and "\x1b" not in done.stdout
    assert CLOSING.search(done.stderr) and "targets 0/3" not in done.stderr
