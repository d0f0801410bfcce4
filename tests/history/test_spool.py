"""The spool: durable, private, masked, tolerant of a torn last line."""

from __future__ import annotations

import stat
from pathlib import Path

from scanner.history.spool import Spool
from scanner.model import Facts

NIK = "3201014507890001"


def test_round_trip_masked_private_and_latest_per_observation(tmp_path: Path) -> None:
    spool = Spool("sqlite:////data/history.db", "abc123", tmp_path)
    spool.append(Facts("database", "sqlite:///warga.db", {"sample": [NIK]}))
    spool.append(Facts("http", "https://portal.contoh.go.id/", status="inconclusive", reason="timeout"))
    spool.append(Facts("http", "https://portal.contoh.go.id/", {"status": 200}))
    assert NIK not in spool.path.read_text(encoding="utf-8")
    assert stat.S_IMODE(spool.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(spool.path.parent.stat().st_mode) == 0o700
    loaded = {(f.probe, f.status) for f in spool.load()}
    assert loaded == {("database", "ok"), ("http", "ok")}
    with spool.path.open("a", encoding="utf-8") as torn:  # a crash in the middle of a line
        torn.write('{"probe": "code", "target_')
    assert len(spool.load()) == 2
    spool.remove()
    assert spool.load() == [] and not spool.path.exists()


def test_one_folder_per_store(tmp_path: Path) -> None:
    one, other = Spool("sqlite:///a.db", "s1", tmp_path), Spool("postgresql://pindai@db/x", "s1", tmp_path)
    assert one.path.parent != other.path.parent and one.path.name == other.path.name == "s1.jsonl"
