"""``pindai scan`` when the history store fails mid-scan: nothing observed is lost, nothing is called complete
that is not.

Real parts only: the scan is a ``pindai`` subprocess; the store is a real SQLite file (locked by another
connection, on a full tmpfs, deleted) or a real PostgreSQL stopped with ``pg_ctl -m immediate`` and started
again. Two slow web servers hold their answers until the test lets them go, so each fault lands at a known
point: after the fast observations (a SQL dump, a source tree) are stored, before the slow ones arrive.
Contract: the observations the store refused are spooled and written when the store is back (later in the
scan, or by ``pindai scan --resume``); until then the scan is not ``complete``, the run exits 3 and one
line names the store error; a deleted store file is said, never recreated.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from fixtures.hostile import SlowServer
from tests.services.filesystems import fill, tmpfs

ROOT = Path(__file__).resolve().parents[2]
PINDAI = str(ROOT / ".venv" / "bin" / "pindai")
DUMP = ROOT / "fixtures" / "db" / "sample_dump.sql"
SOURCE = ROOT / "fixtures" / "source" / "clean"
OBSERVATIONS = 4  # the dump (sqlfile), the source tree (code), each slow server (http)
HANG_S = 120


@dataclass
class Run:
    proc: subprocess.Popen[str]
    first: SlowServer
    second: SlowServer
    env: dict[str, str]
    report: Path
    spool: Path

    def finish(self) -> tuple[int, str]:
        _, stderr = self.proc.communicate(timeout=HANG_S)
        return self.proc.returncode, stderr

    def through_outage(self, heal: Callable[[], object]) -> tuple[int, str]:
        """With the store failing: let the first slow observation come (it is spooled), ``heal`` the store,
        then let the second come once the writer's retry pause is over; the run's exit code and stderr."""
        self.first.delay = 0
        _until(lambda: self.spooled() == 1, "the first slow observation is spooled", self.proc)
        heal()
        time.sleep(2.5)  # past the writer's retry pause
        self.second.delay = 0
        return self.finish()

    def expected_code(self) -> int:
        """What an undisturbed run exits with (--fail-on none): 0 when the report says complete, else 3."""
        return 0 if json.loads(self.report.read_text(encoding="utf-8"))["summary"]["complete"] else 3

    def reported_findings(self) -> list[str]:
        return sorted(f["fingerprint"] for f in json.loads(self.report.read_text(encoding="utf-8"))["findings"])

    def reported(self) -> set[tuple[str, str]]:
        facts = json.loads(self.report.read_text(encoding="utf-8"))["facts"]
        return {(f["target_id"], f["probe"]) for f in facts}

    def spooled(self) -> int:
        return sum(len(p.read_text().splitlines()) for p in self.spool.rglob("*.jsonl"))


@pytest.fixture
def slow_pair() -> Iterator[tuple[SlowServer, SlowServer]]:
    first, second = SlowServer(delay=600, lifetime=300).start(), SlowServer(delay=600, lifetime=300).start()
    try:
        yield first, second
    finally:
        first.stop()
        second.stop()


def _scan(store_url: str, work: Path, servers: tuple[SlowServer, SlowServer], *args: str) -> Run:
    env = dict(os.environ, PINDAI_STORE=store_url, PINDAI_SPOOL_DIR=str(work / "spool"))
    report = work / "hasil.json"
    proc = subprocess.Popen(
        [PINDAI, "scan", servers[0].url, servers[1].url, str(DUMP), str(SOURCE), "--probe", "http", "--probe",
         "sqlfile", "--probe", "code", "--timeout", "300", "--processes", "1", "--json", str(report), *args],
        env=env, text=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return Run(proc, servers[0], servers[1], env, report, work / "spool")


def _until(check: Callable[[], bool], what: str, proc: subprocess.Popen[str] | None = None, limit: float = 60) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"pindai ended before {what}: {proc.stderr.read() if proc.stderr else ''}")
        try:
            if check():
                return
        except Exception:  # the store not created yet, or down
            pass
        time.sleep(0.2)
    raise AssertionError(f"not within {limit:.0f}s: {what}")


def _sqlite_rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(path, timeout=30) as db:
        return list(db.execute(sql).fetchall())


def _sqlite_facts(path: Path) -> set[tuple[str, str]]:
    return {(str(t), str(p)) for t, p in _sqlite_rows(path, "SELECT target_id, probe FROM pindai_facts")}


def _sqlite_findings(path: Path) -> list[str]:
    return sorted(str(f) for (f,) in _sqlite_rows(path, "SELECT fingerprint FROM pindai_findings"))


def _resume(run: Run) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PINDAI, "scan", "--resume", "--json", str(run.report)], env=run.env, capture_output=True,
                          text=True, timeout=HANG_S)


def test_sqlite_lock_held_to_the_end_then_resume(tmp_path: Path, slow_pair: tuple[SlowServer, SlowServer]) -> None:
    """A lock held by another process from mid-scan to past its end: exit 3, one line naming the lock, the
    scan not complete; once the lock is gone `--resume` writes the spooled observations: all four stored."""
    store = tmp_path / "history.db"
    run = _scan(f"sqlite:///{store}", tmp_path, slow_pair)
    _until(lambda: len(_sqlite_facts(store)) >= 2, "the fast observations are stored", run.proc)
    locker = sqlite3.connect(store, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        run.first.delay = run.second.delay = 0
        code, stderr = run.finish()
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert code == 3 and run.expected_code() == 0, stderr  # 3 for the store alone
    assert "Traceback" not in stderr
    assert "not in the history store" in stderr and "database is locked" in stderr, stderr
    assert len(run.reported()) == OBSERVATIONS
    assert run.spooled() == 2
    ((status,),) = _sqlite_rows(store, "SELECT status FROM pindai_scans")
    assert status != "complete"
    assert len(_sqlite_facts(store)) == 2

    resumed = _resume(run)
    assert "2 spooled observations written" in resumed.stderr, resumed.stderr
    assert _sqlite_facts(store) == run.reported()
    assert _sqlite_rows(store, "SELECT status FROM pindai_scans") == [("complete",)]
    assert _sqlite_findings(store) == run.reported_findings()
    assert run.spooled() == 0


def test_store_file_deleted_mid_scan(tmp_path: Path, slow_pair: tuple[SlowServer, SlowServer]) -> None:
    """The store file deleted mid-scan: said in one line, exit 3, not recreated; the observations are spooled."""
    store = tmp_path / "history.db"
    run = _scan(f"sqlite:///{store}", tmp_path, slow_pair)
    _until(lambda: len(_sqlite_facts(store)) >= 2, "the fast observations are stored", run.proc)
    store.unlink()
    run.first.delay = run.second.delay = 0
    code, stderr = run.finish()
    assert code == 3 and run.expected_code() == 0, stderr
    assert "Traceback" not in stderr
    assert "was deleted or replaced" in stderr and "not recreated" in stderr, stderr
    assert not store.exists()
    assert run.spooled() == 2
    assert len(run.reported()) == OBSERVATIONS


@pytest.fixture
def tiny_tmpfs(tmp_path: Path) -> Iterator[Path]:
    with tmpfs(tmp_path / "klein", "8m") as mount:
        yield mount


def test_store_on_a_full_disk_recovers_mid_scan(tmp_path: Path, tiny_tmpfs: Path,
                                                slow_pair: tuple[SlowServer, SlowServer]) -> None:
    """The store's file system fills up mid-scan, then has room again before the scan ends: the spooled
    observation is written when the next one comes, the scan is complete with every observation stored."""
    store = tiny_tmpfs / "history.db"
    run = _scan(f"sqlite:///{store}", tmp_path, slow_pair)
    _until(lambda: len(_sqlite_facts(store)) >= 2, "the fast observations are stored", run.proc)
    code, stderr = run.through_outage(fill(tiny_tmpfs).unlink)
    assert "Traceback" not in stderr
    assert "disk is full" in stderr and "[SQL:" not in stderr, stderr  # the driver's error, not the statement
    assert "not in the history store" not in stderr and "not recorded" not in stderr, stderr
    assert code == run.expected_code(), stderr
    assert _sqlite_facts(store) == run.reported() and len(run.reported()) == OBSERVATIONS
    assert _sqlite_rows(store, "SELECT status FROM pindai_scans") == [("complete",)]
    assert _sqlite_findings(store) == run.reported_findings()
    assert run.spooled() == 0


@pytest.fixture
def postgres() -> Iterator[object]:
    from fixtures.db.servers import ServerStartError, start_postgresql

    try:
        server = start_postgresql("weak")
    except ServerStartError as exc:
        pytest.skip(str(exc))
    try:
        yield server
    finally:
        server.stop()


def test_postgresql_stopped_immediately_and_restarted_mid_scan(
        tmp_path: Path, postgres: object, slow_pair: tuple[SlowServer, SlowServer]) -> None:
    """PostgreSQL stopped with `-m immediate` mid-scan and started again before the scan ends: the observation
    made while it was down is written once it is back; every observation is stored and the scan is complete."""
    from sqlalchemy import create_engine, text

    from fixtures.db.servers import DbServer

    assert isinstance(postgres, DbServer)
    url = postgres.url(with_password=True)
    engine = create_engine(url)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        # the fixture trades durability for speed; a crash (-m immediate) then loses the last commits
        conn.execute(text("ALTER SYSTEM SET synchronous_commit = on"))
        conn.execute(text("SELECT pg_reload_conf()"))

    def stored() -> set[tuple[str, str]]:
        with engine.connect() as conn:
            return {(str(t), str(p)) for t, p in conn.execute(text("SELECT target_id, probe FROM pindai_facts"))}

    run = _scan(url, tmp_path, slow_pair)
    _until(lambda: len(stored()) >= 2, "the fast observations are stored", run.proc)
    engine.dispose()
    postgres.halt()
    code, stderr = run.through_outage(postgres.restart)
    assert "Traceback" not in stderr
    assert "not in the history store" not in stderr and "not recorded" not in stderr, stderr
    assert code == run.expected_code(), stderr
    assert stored() == run.reported() and len(run.reported()) == OBSERVATIONS
    with engine.connect() as conn:
        assert list(conn.execute(text("SELECT status FROM pindai_scans"))) == [("complete",)]
        findings = sorted(str(f) for (f,) in conn.execute(text("SELECT fingerprint FROM pindai_findings")))
    assert findings == run.reported_findings()
    engine.dispose()
    assert run.spooled() == 0
