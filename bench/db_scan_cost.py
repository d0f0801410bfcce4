"""Cost of a database scan (queries, seconds, rows read) at 100 k vs 10 M rows.

Starts a private PostgreSQL (and optionally MariaDB) from ``fixtures/db/servers``, creates one
database per size with a ``penduduk`` table generated server-side (``generate_series`` /
MariaDB's ``seq_1_to_N`` engine, a recursive CTE on SQLite: synthetic NIK-shaped digits, phone numbers, names), runs the
real ``DatabaseProbe`` and prints what the scan cost. The point: the cost must not grow with
the table (catalogue row estimates + TABLESAMPLE / primary-key points, never ``count(*)``).
``no_wa`` is non-null in one row of 50, so the sparse-column top-up is part of what is measured.

    .venv/bin/python -m bench.db_scan_cost                  # PostgreSQL and SQLite, 100k and 10M rows
    .venv/bin/python -m bench.db_scan_cost --sizes 100000 1000000 --engines postgresql mariadb
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text

from fixtures.db.servers import DbServer, start
from scanner.model import Exposure
from scanner.probes.base import ProbeContext
from scanner.probes.database.probe import DatabaseProbe
from scanner.targets import parse_target

# Synthetic, NIK-shaped values: province 32/33/35, a DDMMYY date and a serial; never real people.
_PG_FILL = """
CREATE TABLE penduduk AS
SELECT g AS id,
       (32 + g % 4)::text || lpad((g % 30 + 1)::text, 2, '0') || lpad((g % 20 + 1)::text, 2, '0')
         || lpad((g % 28 + 1)::text, 2, '0') || lpad((g % 12 + 1)::text, 2, '0')
         || lpad((g % 50 + 50)::text, 2, '0') || lpad((g % 999 + 1)::text, 4, '0') AS nik,
       'Warga ' || g AS nama_lengkap,
       '0812' || lpad((g % 100000000)::text, 8, '0') AS no_hp,
       md5(g::text) AS nik_hash,
       CASE WHEN g % 50 = 0 THEN '0813' || lpad((g % 100000000)::text, 8, '0') END AS no_wa
FROM generate_series(1, {rows}) AS g;
ALTER TABLE penduduk ADD PRIMARY KEY (id);
ANALYZE penduduk;
"""
_MARIA_FILL = """
CREATE TABLE penduduk (id BIGINT PRIMARY KEY, nik CHAR(16), nama_lengkap VARCHAR(40), no_hp VARCHAR(16),
                       nik_hash CHAR(32), no_wa VARCHAR(16)) ENGINE=InnoDB;
INSERT INTO penduduk
SELECT seq, CONCAT(32 + seq % 4, LPAD(seq % 30 + 1, 2, '0'), LPAD(seq % 20 + 1, 2, '0'), LPAD(seq % 28 + 1, 2, '0'),
                   LPAD(seq % 12 + 1, 2, '0'), LPAD(seq % 50 + 50, 2, '0'), LPAD(seq % 999 + 1, 4, '0')),
       CONCAT('Warga ', seq), CONCAT('0812', LPAD(seq % 100000000, 8, '0')), MD5(seq),
       IF(seq % 50 = 0, CONCAT('0813', LPAD(seq % 100000000, 8, '0')), NULL)
FROM seq_1_to_{rows};
ANALYZE TABLE penduduk;
"""
_SQLITE_FILL = """
CREATE TABLE penduduk (id INTEGER PRIMARY KEY, nik TEXT, nama_lengkap TEXT, no_hp TEXT, nik_hash TEXT, no_wa TEXT);
WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < {rows})
INSERT INTO penduduk
SELECT n, (32 + n % 4) || printf('%02d%02d%02d%02d%02d%04d', n % 30 + 1, n % 20 + 1, n % 28 + 1, n % 12 + 1,
                                  n % 50 + 50, n % 999 + 1),
       'Warga ' || n, '0812' || printf('%08d', n % 100000000), hex(randomblob(16)),
       CASE WHEN n % 50 = 0 THEN '0813' || printf('%08d', n % 100000000) END
FROM g;
"""


@dataclass
class Measurement:
    engine: str
    rows: int
    fill_s: float
    queries: int
    scan_s: float
    sampled_rows: int
    method: str
    nik_state: str
    coverage: str
    sparse: str


def _fill(server: DbServer, database: str, rows: int) -> float:
    admin = create_engine(server.url(database="postgres" if server.engine == "postgresql" else "mysql",
                                     with_password=True), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {database}"))
    admin.dispose()
    return _run_script(server.url(database=database, with_password=True),
                       (_PG_FILL if server.engine == "postgresql" else _MARIA_FILL).format(rows=rows))


def _run_script(url: str, script: str) -> float:
    started = time.monotonic()
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        for statement in filter(str.strip, script.split(";")):
            conn.execute(text(statement))
    engine.dispose()
    return time.monotonic() - started


def _probe(location: str, engine: str, rows: int, fill_s: float) -> Measurement:
    target = parse_target(location, exposure=Exposure.INTERNAL, options={"sample_rows": 200})
    facts = DatabaseProbe().run(target, ProbeContext())
    table = facts["tables"][0]
    drawn = table.get("sample", {})
    reach = drawn.get("coverage", {})
    nik = next((c for c in facts["columns"] if c["column"] == "nik"), None)
    return Measurement(engine, rows, fill_s, facts["cost"]["queries"], facts["cost"]["seconds"],
                       table.get("sampled_rows", 0), table.get("sample_method", "?"),
                       nik["protection"]["state"] if nik else "-",
                       f"{reach.get('from', '?')}-{reach.get('to', '?')}",
                       f"no_wa {drawn.get('non_null', {}).get('no_wa', 0)} non-null"
                       + (" (topped up)" if "no_wa" in drawn.get("topped_up", []) else ""))


def measure(server: DbServer, rows: int) -> Measurement:
    database = f"bench_{rows}"
    fill_s = _fill(server, database, rows)
    scheme = "postgresql" if server.engine == "postgresql" else "mariadb"
    return _probe(f"{scheme}://pindai_admin:{server.admin_password}@127.0.0.1:{server.port}/{database}",
                  server.engine, rows, fill_s)


def measure_sqlite(directory: Path, rows: int) -> Measurement:
    path = directory / f"bench_{rows}.db"
    fill_s = _run_script(f"sqlite:///{path}", _SQLITE_FILL.format(rows=rows))
    return _probe(f"sqlite:///{path}", "sqlite", rows, fill_s)


def _print(m: Measurement) -> None:
    print(f"{m.engine:10} {m.rows:>11,} rows  fill {m.fill_s:6.1f}s  scan {m.scan_s:5.2f}s "
          f"{m.queries:3} queries  sampled {m.sampled_rows} rows via {m.method} (span {m.coverage})  "
          f"nik={m.nik_state}  {m.sparse}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Database scan cost at different table sizes")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 10_000_000])
    parser.add_argument("--engines", nargs="+", default=["postgresql", "sqlite"],
                        choices=["postgresql", "mariadb", "sqlite"])
    args = parser.parse_args(argv)
    for engine in args.engines:
        if engine == "sqlite":
            with tempfile.TemporaryDirectory(prefix="pindai-bench-") as directory:
                for rows in args.sizes:
                    _print(measure_sqlite(Path(directory), rows))
            continue
        server = start(engine, "weak")
        try:
            for rows in args.sizes:
                _print(measure(server, rows))
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
