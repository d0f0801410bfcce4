"""``options.database``: include/exclude patterns and metadata-only scans, on all three engines."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from fixtures.db.servers import DbServer
from scanner.model import Target
from scanner.targets import parse_target
from tests.probes.database.helpers import new_database, run_scan, target_for

PERSONAL_RULES = {"PND-DB-001", "PND-DB-002", "PND-DB-003"}


def _target(engine: str, sqlite_db: Path, pg_weak: DbServer, maria_weak: DbServer, database: dict[str, Any]) -> Target:
    if engine == "sqlite":
        base = parse_target(f"sqlite:///{sqlite_db}")
    else:
        base = target_for(pg_weak if engine == "postgresql" else maria_weak)
    return replace(base, options={"sample_rows": 100, "sample_seed": 1, "database": database})


@pytest.fixture
def statements() -> Iterator[list[str]]:
    """Every SQL statement any engine sends while the test runs."""
    seen: list[str] = []

    def _record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", _record)
    yield seen
    event.remove(Engine, "before_cursor_execute", _record)


@pytest.mark.parametrize("engine", ["sqlite", "postgresql", "mariadb"])
def test_exclude_leaves_tables_and_columns_out(engine: str, sqlite_db: Path, pg_weak: DbServer,
                                               maria_weak: DbServer) -> None:
    schema = {"sqlite": "main", "postgresql": "public", "mariadb": pg_weak.database}[engine]
    scan = run_scan(_target(engine, sqlite_db, pg_weak, maria_weak,
                            {"exclude": [f"{schema}\\.pasien", ".*\\.pegawai\\.NIK"]}))
    columns = scan.columns()
    assert not any(key.startswith("pasien.") for key in columns)
    assert "pegawai.nik" not in columns and "pegawai.no_kk" in columns
    assert "pasien" not in {t["name"] for t in scan.data["tables"]}
    assert scan.data["scope"]["tables_excluded"] == 1 and scan.data["scope"]["columns_excluded"] == 1


@pytest.mark.parametrize("engine", ["sqlite", "postgresql", "mariadb"])
def test_include_names_tables_or_columns(engine: str, sqlite_db: Path, pg_weak: DbServer,
                                         maria_weak: DbServer) -> None:
    scan = run_scan(_target(engine, sqlite_db, pg_weak, maria_weak,
                            {"include": [r"[^.]+\.pegawai\.(nik|no_hp)", r"[^.]+\.kunjungan"]}))
    assert {t["name"] for t in scan.data["tables"]} == {"pegawai", "kunjungan"}
    assert {k for k in scan.columns() if k.startswith("pegawai.")} == {"pegawai.nik", "pegawai.no_hp"}
    assert "kunjungan.diagnosa" in scan.columns()


@pytest.mark.parametrize("engine", ["sqlite", "postgresql", "mariadb"])
def test_metadata_only_reads_no_rows(engine: str, sqlite_db: Path, pg_weak: DbServer, maria_weak: DbServer,
                                     statements: list[str]) -> None:
    scan = run_scan(_target(engine, sqlite_db, pg_weak, maria_weak, {"read_data": False}))
    tables = {t["name"] for t in scan.data["tables"]}
    assert {"pegawai", "pasien", "kunjungan"} <= tables
    reads = [s for s in statements
             if re.search(r"\bFROM\s+[`\"]?(?:\w+[`\"]?\.[`\"]?)?(pegawai|pasien|kunjungan)\b", s, re.I)]
    assert reads == []
    assert all(t["status"] == "metadata-only" for t in scan.data["tables"])
    columns = scan.columns()
    assert columns["pegawai.nik"]["protection"]["state"] == "not-sampled"
    assert all(c["confidence"] == "low" and c["basis"] == "column-name" for c in columns.values())
    assert "pegawai.nik" in scan.keys("PND-DB-024")
    assert not scan.rule_ids() & PERSONAL_RULES
    findings = [f for f in scan.result.findings if f.rule_id == "PND-DB-024"]
    assert findings and all("column name only" in f.message["en"] for f in findings)
    assert scan.data["server"] is not None  # server settings are still read


@pytest.mark.parametrize("engine", ["postgresql", "mariadb"])
def test_column_comments_are_masked_and_bounded(engine: str, pg_weak: DbServer, maria_weak: DbServer) -> None:
    """Comments come from the target: a NIK in one is masked, a huge one is cut."""
    server = pg_weak if engine == "postgresql" else maria_weak
    nik, long_text = "3201014508900001", "x" * 5000
    if engine == "postgresql":
        statements = ["CREATE TABLE warga (id INTEGER PRIMARY KEY, k1 VARCHAR(16), k2 TEXT)",
                      f"COMMENT ON COLUMN warga.k1 IS 'contoh NIK {nik}'",
                      f"COMMENT ON COLUMN warga.k2 IS '{long_text}'"]
    else:
        statements = [f"CREATE TABLE warga (id INTEGER PRIMARY KEY, k1 VARCHAR(16) COMMENT 'contoh NIK {nik}', "
                      f"k2 TEXT COMMENT '{long_text[:1024]}')"]
    url = new_database(server, "komentar", statements)
    facts = run_scan(parse_target(url, options={"database": {"read_data": False}})).data
    comments = {c["name"]: c.get("comment", "") for c in facts["tables"][0]["columns"]}
    assert nik not in comments["k1"] and "contoh NIK 3201" in comments["k1"]
    assert 0 < len(comments["k2"]) <= 200
