"""Interrupting ``pindai scan`` (SIGINT, SIGTERM) and finishing it with ``pindai scan --resume``.

The scan runs as a real subprocess with ``$PINDAI_STORE`` pointing at a temporary SQLite file.
One target is a web server that answers after 20 s; the others (a clean portal, a SQL dump,
a source tree) finish in seconds. Once their observations are in the store, the signal is
sent. Contract (README, exit codes): exit 130, a message naming ``--resume``, the scan stored
as interrupted with the finished observations; ``--resume`` completes it without duplicates.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from fixtures.hostile import SlowServer
from fixtures.web import start_site

ROOT = Path(__file__).resolve().parent.parent
PINDAI = str(ROOT / ".venv" / "bin" / "pindai")
DUMP = ROOT / "fixtures" / "db" / "sample_dump.sql"
SOURCE = ROOT / "fixtures" / "source" / "clean"
FAST_TARGETS = 3
# Observations of a finished scan: the web target and the slow one are each observed by the http
# and the auth probe (black-box mode), the dump by sqlfile, the source tree by code.
ALL_OBSERVATIONS = 6
PROMPT_EXIT_S = 10.0  # an interrupted scan should be gone this soon after the signal (slow server: 20 s)


@dataclass
class Interrupted:
    signame: str
    returncode: int
    exit_after_s: float  # seconds from the signal until the process was gone
    stderr: str
    scan_id: str
    status: str
    facts: list[tuple[str, str, str, str]]  # target, probe, status, started_at
    slow_target: str
    store: Path
    env: dict[str, str]
    profile: Path
    slow: SlowServer


def _rows(store: Path, sql: str) -> list[tuple[str, ...]]:
    with sqlite3.connect(store) as db:
        return [tuple(r) for r in db.execute(sql).fetchall()]


def _fact_rows(store: Path) -> list[tuple[str, str, str, str]]:
    rows = _rows(store, "SELECT target_id, probe, status, started_at FROM pindai_facts ORDER BY id")
    return [(str(a), str(b), str(c), str(d)) for a, b, c, d in rows]


def _wait_for_facts(store: Path, count: int, proc: subprocess.Popen[str], limit: float = 60.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        assert proc.poll() is None, "pindai ended before it could be interrupted"
        try:
            if len(_fact_rows(store)) >= count:
                return
        except sqlite3.Error:
            pass  # store not created yet
        time.sleep(0.2)
    raise AssertionError(f"fewer than {count} observations stored within {limit:.0f}s")


@pytest.fixture(scope="module", params=["SIGINT", "SIGTERM"])
def interrupted(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Interrupted]:
    signame = str(request.param)
    work = tmp_path_factory.mktemp(f"interrupt-{signame.lower()}")
    store = work / "history.db"
    slow = SlowServer(delay=20.0, lifetime=150).start()
    portal = start_site("clean")
    profile = work / "profil.toml"
    profile.write_text(f"""\
name = "Uji interupsi"
[scope]
allow = ["127.0.0.1"]
[politeness]
per_host_concurrency = 8
requests_per_second = 1000
timeout = 60

[[targets]]
target = "{slow.url}"
name = "server lambat"

[[targets]]
target = "{portal.base_url}"

[[targets]]
target = "{DUMP}"

[[targets]]
target = "{SOURCE}"
""", encoding="utf-8")
    env = dict(os.environ, PINDAI_STORE=f"sqlite:///{store}")
    proc = subprocess.Popen([PINDAI, "scan", "--profile", str(profile)], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        _wait_for_facts(store, FAST_TARGETS, proc)
        sent = time.monotonic()
        proc.send_signal(getattr(signal, signame))
        try:
            proc.wait(timeout=PROMPT_EXIT_S)
        except subprocess.TimeoutExpired:
            slow.delay = 0  # let a lingering probe finish so the rest of the contract can be checked
        _, stderr = proc.communicate(timeout=90)
        exit_after = time.monotonic() - sent
        (scan_id, status), = _rows(store, "SELECT scan_id, status FROM pindai_scans")
        yield Interrupted(signame, proc.returncode, exit_after, stderr, str(scan_id), str(status),
                          _fact_rows(store), slow.url, store, env, profile, slow)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        slow.stop()
        portal.stop()


def test_interrupt_contract(interrupted: Interrupted) -> None:
    """Exit 130, a message naming --resume and the scan id, the finished observations kept."""
    assert interrupted.returncode == 130, interrupted.stderr
    assert "--resume" in interrupted.stderr
    assert interrupted.scan_id in interrupted.stderr
    assert interrupted.signame in interrupted.stderr
    assert "Traceback" not in interrupted.stderr
    assert interrupted.status == "interrupted"
    stored = {(t, p) for t, p, _, _ in interrupted.facts}
    assert len(stored) == len(interrupted.facts), "duplicate observations"
    assert (str(DUMP), "sqlfile") in stored and (str(SOURCE), "code") in stored
    assert len(stored) >= FAST_TARGETS
    assert all(s == "ok" for _, _, s, _ in interrupted.facts), interrupted.facts
    assert not any(t == interrupted.slow_target for t, _, _, _ in interrupted.facts), "slow target not finished"


def test_interrupted_scan_exits_promptly(interrupted: Interrupted) -> None:
    """A probe still waiting on the slow server must not keep the process alive (daemon workers)."""
    took = interrupted.exit_after_s
    assert took < PROMPT_EXIT_S, f"exited {took:.1f}s after {interrupted.signame}"


def test_resume_completes_without_duplicates(interrupted: Interrupted, tmp_path: Path) -> None:
    interrupted.slow.delay = 0
    before = {(t, p): started for t, p, _, started in interrupted.facts}
    out = tmp_path / "resumed.json"
    args = [PINDAI, "scan", "--resume", "--json", str(out)]
    if interrupted.signame == "SIGTERM":  # also: an explicit id, with the profile's politeness
        args = [PINDAI, "scan", "--resume", interrupted.scan_id, "--profile", str(interrupted.profile),
                "--json", str(out)]
    done = subprocess.run(args, env=interrupted.env, capture_output=True, text=True, timeout=120)
    assert f"resuming scan {interrupted.scan_id}" in done.stderr
    result = json.loads(out.read_text(encoding="utf-8"))
    observed = [(f["target_id"], f["probe"]) for f in result["facts"]]
    assert len(observed) == len(set(observed)), "duplicate observations after resume"
    assert (interrupted.slow_target, "http") in observed
    assert len(observed) == ALL_OBSERVATIONS
    expected_code = 3 if any(f["status"] != "ok" for f in result["facts"]) else 0  # --fail-on defaults to none
    assert done.returncode == expected_code, done.stderr
    rows = _fact_rows(interrupted.store)
    assert len(rows) == len({(t, p) for t, p, _, _ in rows}) == ALL_OBSERVATIONS
    for target, probe, _, started in rows:  # finished observations were not redone
        if (target, probe) in before:
            assert started == before[(target, probe)]
    assert _rows(interrupted.store, "SELECT status FROM pindai_scans") == [("complete",)]
    if interrupted.signame == "SIGINT":
        again = subprocess.run([PINDAI, "scan", "--resume"], env=interrupted.env, capture_output=True, text=True,
                               timeout=60)
        assert again.returncode == 2 and "no unfinished scan" in again.stderr


def _wait_for_children(proc: subprocess.Popen[str], count: int, limit: float = 60.0) -> None:
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        assert proc.poll() is None, "pindai ended before it could be interrupted"
        if len(children.read_text().split()) >= count:
            return
        time.sleep(0.05)
    raise AssertionError(f"fewer than {count} probing processes within {limit:.0f}s")


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads child processes from Linux /proc")
@pytest.mark.parametrize("after_s", [0.0, 0.5, 1.5, 2.5])  # while the children start (importing) and probe
def test_ctrl_c_in_a_sharded_run_shows_only_the_resume_message(tmp_path: Path, after_s: float) -> None:
    """Ctrl-C reaches the whole process group, probing children included: none may print a traceback."""
    store = tmp_path / "history.db"
    slow = SlowServer(delay=20.0, lifetime=120).start()
    sites = [start_site("clean") for _ in range(3)]
    profile = tmp_path / "profil.toml"
    urls = [slow.url, *(s.base_url for s in sites)]
    profile.write_text('[scope]\nallow = ["127.0.0.1"]\n[politeness]\ntimeout = 60\n'
                       + "".join(f'[[targets]]\ntarget = "{url}"\n' for url in urls), encoding="utf-8")
    env = dict(os.environ, PINDAI_STORE=f"sqlite:///{store}")
    proc = subprocess.Popen([PINDAI, "scan", "--profile", str(profile), "--processes", "2"], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        _wait_for_children(proc, 2)
        time.sleep(after_s)
        os.killpg(proc.pid, signal.SIGINT)  # what the terminal does on Ctrl-C
        _, stderr = proc.communicate(timeout=90)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        slow.stop()
        for site in sites:
            site.stop()
    assert proc.returncode == 130, stderr
    assert "--resume" in stderr
    assert "Traceback" not in stderr and "pindai-shard" not in stderr, stderr
