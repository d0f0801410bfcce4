"""ScanWriter: observations the store refuses are spooled, written when it answers, and a scan with any
observation outside the store is never recorded complete. Real SQLite stores throughout."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from scanner.history.durable import RETRY_S, ScanWriter
from scanner.history.store import COMPLETE, INCOMPLETE, Store
from scanner.model import Facts, ScanResult


@pytest.fixture(autouse=True)
def _spool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PINDAI_SPOOL_DIR", str(tmp_path / "spool"))


def _begun(tmp_path: Path) -> tuple[Store, ScanResult]:
    store = Store(f"sqlite:///{tmp_path / 'history.db'}?timeout=0.2")
    result = ScanResult("s1", "2026-12-06T00:00:00+00:00", "", "0.1.0", "v1", [], [])
    store.begin_scan(result)
    return store, result


def test_a_locked_store_spools_then_catches_up(tmp_path: Path) -> None:
    store, result = _begun(tmp_path)
    now = [0.0]
    writer = ScanWriter(store, "s1", clock=lambda: now[0])
    locker = sqlite3.connect(tmp_path / "history.db", isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    writer.add(Facts("code", "a"))
    writer.add(Facts("code", "b"))  # within the retry pause: straight to the spool
    assert writer.unstored == 2 and "database is locked" in writer.error
    assert len(writer.spool.load()) == 2
    locker.execute("ROLLBACK")
    now[0] += RETRY_S
    writer.add(Facts("code", "c"))
    assert writer.unstored == 0 and not writer.spool.path.exists()
    assert writer.finish(result) == COMPLETE
    assert sorted(f.target_id for f in store.load("s1").facts) == ["a", "b", "c"]


def test_an_observation_the_store_cannot_take_keeps_the_scan_incomplete(tmp_path: Path) -> None:
    store, result = _begun(tmp_path)
    writer = ScanWriter(store, "s1")
    writer.add(Facts("http", "https://a.test/", status="inconclusive", reason="bad \ud800 reply"))
    writer.add(Facts("code", "b"))
    assert writer.finish(result) == INCOMPLETE
    assert store.status("s1") == INCOMPLETE
    assert "1 observation(s) are not in the history store" in writer.summary()
    assert "pindai scan --resume s1" in writer.summary() and str(writer.spool.path) in writer.summary()


def test_resume_writes_what_an_earlier_run_spooled(tmp_path: Path) -> None:
    store, _ = _begun(tmp_path)
    locker = sqlite3.connect(tmp_path / "history.db", isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    ScanWriter(store, "s1").add(Facts("code", "a"))
    locker.execute("ROLLBACK")
    later = ScanWriter(store, "s1")
    assert later.recover() == 1 and later.unstored == 0
    assert [f.target_id for f in store.load("s1").facts] == ["a"]
