"""Progress of a one-URL scan moves per probe: each probe's line ends with its outcome."""

from __future__ import annotations

import io

from rich.console import Console

from scanner.commands.progress import MAX_ROWS, scan_progress
from scanner.model import Facts
from scanner.running.politeness import HostGate


def _console() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, force_terminal=True, width=120, color_system=None), out


def test_one_url_scan_shows_each_probe_and_connections() -> None:
    url = "https://portal.contoh.go.id/"
    jobs = [(url, "tls"), (url, "http"), (url, "auth")]
    gate = HostGate()
    console, out = _console()
    with scan_progress(jobs, gate, console) as finished:
        with gate.slot("portal.contoh.go.id"), gate.slot("portal.contoh.go.id"):
            pass
        finished(Facts("tls", url))
        finished(Facts("http", url, status="inconclusive", reason="timed out"))
    text = out.getvalue()
    for probe in ("tls", "http", "auth"):
        assert f"{probe}" in text
    assert "2 conn." in text and "inconclusive" in text and "2/3" in text


def test_large_scans_show_only_the_overall_bar() -> None:
    jobs = [(f"https://h{i}.go.id/", "http") for i in range(MAX_ROWS + 1)]
    console, out = _console()
    with scan_progress(jobs, HostGate(), console) as finished:
        finished(Facts("http", jobs[0][0]))
    assert "h5.go.id" not in out.getvalue() and f"1/{len(jobs)}" in out.getvalue()


def test_nothing_is_drawn_when_stderr_is_not_a_terminal(capsys) -> None:
    with scan_progress([("x", "tls")], HostGate()) as finished:
        finished(Facts("tls", "x"))
    assert capsys.readouterr().err == ""
