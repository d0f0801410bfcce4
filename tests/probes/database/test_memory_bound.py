"""Sampling has a memory bound: huge cell values are cut by the server, not after the fetch.

Hostile fixtures: PostgreSQL rows of 16 MiB ``bytea`` and ``text``; a SQLite file of a few KB whose
generated column is ``zeroblob(50e6)``. The probe runs in a child process that reports its peak
RSS (``resource.getrusage``) before and after; without the bound these peak at hundreds of MB
(PostgreSQL) and about 2 GB (SQLite, measured).
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from fixtures.db.servers import ADMIN, DbServer
from scanner.probes.database.sampling import bounded_column, rows_within_budget

GROWTH_LIMIT_KIB = 256 * 1024  # generous: a bounded sample needs a few MB
_CHILD = """
import json, resource, sys
from scanner.probes.base import ProbeContext
from scanner.probes.database.probe import DatabaseProbe
from scanner.targets import parse_target
target = parse_target(sys.argv[1], options={"sample_rows": 200})
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
facts = DatabaseProbe().run(target, ProbeContext())
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
tables = {t["name"]: [t["status"], t.get("sampled_rows")] for t in facts["tables"]}
print(json.dumps({"growth_kib": after - before, "tables": tables}))
"""


def _probe_peak(url: str) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", _CHILD, url], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def test_sqlite_generated_zeroblob_column_stays_small(tmp_path: Path) -> None:
    path = tmp_path / "lampiran.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE lampiran (id INTEGER PRIMARY KEY, nik TEXT, "
                   "isi BLOB GENERATED ALWAYS AS (zeroblob(50000000)) VIRTUAL)")
        db.executemany("INSERT INTO lampiran (nik) VALUES (?)", [("3201011708450001",)] * 40)
    assert path.stat().st_size < 64 * 1024  # 40 x 50 MB of values from a file of a few KB
    peak = _probe_peak(f"sqlite:///{path}")
    assert peak["tables"] == {"lampiran": ["ok", 40]}
    assert int(str(peak["growth_kib"])) < GROWTH_LIMIT_KIB, peak


@pytest.fixture(scope="module")
def big_values_db(pg_weak: DbServer) -> str:
    """A database of 24 rows with 16 MiB bytea and text values (compressed on disk by TOAST)."""
    admin = create_engine(pg_weak.url(with_password=True), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS lampiran_besar"))
        conn.execute(text("CREATE DATABASE lampiran_besar"))
    admin.dispose()
    url = f"postgresql://{ADMIN}:{pg_weak.admin_password}@127.0.0.1:{pg_weak.port}/lampiran_besar"
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    url += f"?{pg_weak.scan_query}"
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE lampiran (id serial PRIMARY KEY, nik text, berkas bytea, catatan text)"))
        conn.execute(text("INSERT INTO lampiran (nik, berkas, catatan) SELECT '3201011708450001', "
                          "decode(repeat('ab', 16 * 1024 * 1024), 'hex'), repeat('x', 16 * 1024 * 1024) "
                          "FROM generate_series(1, 24)"))
    engine.dispose()
    return url


def test_postgresql_large_bytea_rows_stay_small(big_values_db: str) -> None:
    peak = _probe_peak(big_values_db)
    assert peak["tables"] == {"lampiran": ["ok", 24]}
    assert int(str(peak["growth_kib"])) < GROWTH_LIMIT_KIB, peak


@pytest.mark.parametrize(("engine", "type_name", "expected"), [
    ("postgresql", "BYTEA", 'substring("c" from 1 for 2048)'),
    ("postgresql", "VARCHAR(100)", "left(\"c\"::text, 2048)"),
    ("postgresql", "JSONB", "CASE WHEN octet_length(\"c\"::text) <= 2048 THEN \"c\" END"),
    ("postgresql", "NUMERIC(16, 0)", '"c"'),
    ("postgresql", "BIT", "CASE WHEN octet_length(\"c\"::text) <= 2048 THEN \"c\" END"),  # bit varying reflects so
    ("postgresql", "BIT VARYING", "CASE WHEN octet_length(\"c\"::text) <= 2048 THEN \"c\" END"),
    ("postgresql", "INT4MULTIRANGE", "CASE WHEN octet_length(\"c\"::text) <= 2048 THEN \"c\" END"),
    ("postgresql", "DATEMULTIRANGE", "CASE WHEN octet_length(\"c\"::text) <= 2048 THEN \"c\" END"),
    ("postgresql", "TIMESTAMP WITHOUT TIME ZONE", '"c"'),
    ("postgresql", "BOOLEAN", '"c"'),
    ("mysql", "BIT(8)", '"c"'),
    ("mysql", "LONGBLOB", 'LEFT("c", 2048)'),
    ("mysql", "GEOMETRY", 'CASE WHEN LENGTH("c") <= 2048 THEN "c" END'),
    ("mysql", "BIGINT", '"c"'),
    ("sqlite", "INTEGER", "CASE WHEN typeof(\"c\") IN ('text', 'blob') THEN substr(\"c\", 1, 2048) ELSE \"c\" END"),
])
def test_bounded_column_per_engine(engine: str, type_name: str, expected: str) -> None:
    assert bounded_column(engine, '"c"', type_name) == expected


def test_wide_tables_read_fewer_rows() -> None:
    assert rows_within_budget(200, 6) == 200
    assert rows_within_budget(200, 4000) < 200
    assert rows_within_budget(200, 10**7) == 1


def test_bit_varying_and_multirange_values_are_bounded(pg_weak: DbServer) -> None:
    """Security review 2026-12-06 (R8): ``bit varying`` (reflected as BIT) and multirange columns were read whole."""
    import random

    from scanner.probes.database.sampling import reflect, sample
    from scanner.probes.database.scope import DatabaseScope
    from tests.probes.database.helpers import new_database

    url = new_database(pg_weak, "bit_multirange", [
        "CREATE TABLE penduduk (id serial PRIMARY KEY, bits bit varying, ranges int4multirange)",
        "INSERT INTO penduduk (bits, ranges) SELECT (repeat('10', 50000))::bit varying, "
        "(SELECT range_agg(int4range(g * 4, g * 4 + 2)) FROM generate_series(1, 3000) g) FROM generate_series(1, 3)",
    ])
    engine = create_engine(url.split("?")[0].replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        (table,), _ = reflect(conn, "postgresql", 10, DatabaseScope())
        got = sample(conn, "postgresql", table, 3, random.Random(1))
    engine.dispose()
    sizes = {name: max(len(str(v)) for v in values) if any(v is not None for v in values) else 0
             for name, values in got.values.items() if name != "id"}
    assert got.rows == 3 and all(size <= 2048 for size in sizes.values()), sizes
