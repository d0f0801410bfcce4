"""Wall-clock limits: a request (headers included), a probe, a target and the scan (`--max-time`) end,
and an observation that ran into one is partial (exit 3), never a hang (security review 2026-12-06, section 3)."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from fixtures.hostile.http import HeaderDripServer
from scanner.cli import main
from scanner.model import Target, TargetKind
from scanner.probes.base import ProbeContext
from scanner.running import runner

HANG_DETECTOR_S = 90


class _Polite:
    """Keeps asking the gate for slots (as every network probe does) until told to stop."""

    name = "polite"

    def applies_to(self, target: Target) -> bool:
        return True

    def run(self, target: Target, ctx: ProbeContext) -> dict[str, Any]:
        while True:
            with ctx.gate.slot("127.0.0.1:1"):
                time.sleep(0.05)


class _Stuck:
    """Ignores every limit (a CPU-bound matcher, a driver call that never returns)."""

    name = "stuck"

    def applies_to(self, target: Target) -> bool:
        return True

    def run(self, target: Target, ctx: ProbeContext) -> dict[str, Any]:
        threading.Event().wait(3600)
        return {}


TARGET = Target(TargetKind.URL, "http://127.0.0.1:1/")


def test_probe_time_limit_stops_a_probe_at_its_next_connection() -> None:
    started = time.monotonic()
    (facts,) = runner.run_probes([TARGET], [_Polite()], ProbeContext(probe_time_s=1))
    assert time.monotonic() - started < HANG_DETECTOR_S
    assert facts.status == "inconclusive" and "time limit" in facts.reason, facts.reason


def test_scan_time_limit_abandons_a_stuck_probe(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "GRACE_S", 0.5)
    started = time.monotonic()
    facts = runner.run_probes([TARGET], [_Stuck(), _Polite()], ProbeContext(max_time_s=1))
    assert time.monotonic() - started < HANG_DETECTOR_S
    by_probe = {f.probe: f for f in facts}
    assert "--max-time 1 s" in by_probe["stuck"].reason
    assert by_probe["polite"].status == "inconclusive" and "time limit" in by_probe["polite"].reason


def test_max_time_ends_a_scan_of_a_header_dripping_site(tmp_path: Path) -> None:
    """--timeout 30 alone would allow 90 s per request; --max-time 4 ends the scan, partial, exit 3."""
    out = tmp_path / "r.json"
    with HeaderDripServer(interval=0.1) as server:
        started = time.monotonic()
        result = CliRunner().invoke(main, ["scan", server.url, "--no-store", "--probe", "http", "--timeout", "30",
                                           "--max-time", "4", "--json", str(out)])
        elapsed = time.monotonic() - started
    assert elapsed < HANG_DETECTOR_S
    assert result.exit_code == 3, result.output
    (facts,) = json.loads(out.read_text())["facts"]
    assert facts["status"] == "inconclusive" and "time limit" in facts["reason"], facts["reason"]


def test_a_probe_that_ignores_its_time_limit_is_abandoned_and_the_others_go_on(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """No --max-time: a stuck probe is given up GRACE_S after its own limit; its thread's slot is refilled."""
    monkeypatch.setattr(runner, "GRACE_S", 0.5)
    targets = [Target(TargetKind.URL, f"http://127.0.0.1:{port}/") for port in (1, 2, 3)]
    started = time.monotonic()
    facts = runner.run_probes(targets, [_Stuck()], ProbeContext(probe_time_s=1), workers=1)
    assert time.monotonic() - started < HANG_DETECTOR_S
    assert [f.status for f in facts] == ["inconclusive"] * 3
    assert all("abandoned" in f.reason for f in facts), [f.reason for f in facts]
