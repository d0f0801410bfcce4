"""Record a history store written by Pindai 0.1.0 (schema before migrations), for the upgrade tests.

Run from the repository root with the 0.1.0 store module: ``git show a4d043c:scanner/history/store.py >
/tmp/store_010.py && .venv/bin/python tests/data/store-0.1.0/make.py /tmp/store_010.py``. It writes
``history.sqlite`` and ``postgresql.sql`` (a pg_dump of the same three tables) beside this file.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import uuid
from pathlib import Path

from fixtures.db.servers import _pg_bin, start_postgresql
from scanner.model import Exposure, Facts, Finding, ScanResult, Severity, Target, TargetKind

HERE = Path(__file__).parent
WEB = Target(TargetKind.URL, "https://portal.contoh.go.id/", agency="Diskominfo", exposure=Exposure.INTERNET)
DB = Target(TargetKind.DATABASE, "postgresql://pindai@db.contoh.go.id/simpeg", agency="BKPSDM")


def _finding(rule: str, target: Target, key: str, probe: str, severity: Severity) -> Finding:
    return Finding(rule, target.id, key, severity, 50.0, {"id": "judul", "en": "title"},
                   {"id": "pesan", "en": "message"}, {"name": key}, ["uu-pdp-2022:35"], probe, target.agency)


def results() -> list[ScanResult]:
    facts = [Facts("tls", WEB.id, {"protocols": ["SSLv3"]}), Facts("database", DB.id, {"ssl": False})]
    first = [_finding("PND-TLS-001", WEB, "SSLv3", "tls", Severity.HIGH),
             _finding("PND-DB-001", DB, "ssl", "database", Severity.CRITICAL)]
    return [ScanResult("0a0a0a0a01", "2026-11-01T01:00:00+00:00", "2026-11-01T01:05:00+00:00", "0.1.0", "v1",
                       [WEB, DB], facts, first, evaluated_rules=["PND-TLS-001", "PND-DB-001"],
                       profile={"name": "mingguan", "path": "/etc/pindai/mingguan.toml"}),
            ScanResult("0a0a0a0a02", "2026-11-08T01:00:00+00:00", "2026-11-08T01:05:00+00:00", "0.1.0", "v1",
                       [WEB, DB], facts, first[1:], evaluated_rules=["PND-TLS-001", "PND-DB-001"],
                       profile={"name": "mingguan", "path": "/etc/pindai/mingguan.toml"})]


def main(module_path: str) -> None:
    spec = importlib.util.spec_from_file_location("store_010", module_path)
    assert spec and spec.loader
    old = importlib.util.module_from_spec(spec)
    sys.modules["store_010"] = old
    spec.loader.exec_module(old)
    sqlite = HERE / "history.sqlite"
    sqlite.unlink(missing_ok=True)
    store = old.Store(f"sqlite:///{sqlite}")
    for result in results():
        store.save(result)
    server = start_postgresql("weak")
    try:
        name = f"h{uuid.uuid4().hex[:8]}"
        from sqlalchemy import create_engine, text
        admin = create_engine(server.url(with_password=True), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        pg = old.Store(server.url(database=name, with_password=True))
        for result in results():
            pg.save(result)
        pg.engine.dispose()
        dump = subprocess.run([_pg_bin("pg_dump"), "--no-owner", "--no-privileges", "--inserts",
                               "-h", "127.0.0.1", "-p", str(server.port), "-U", "pindai_admin", name],
                              check=True, capture_output=True, text=True,
                              env={"PGPASSWORD": server.users["pindai_admin"]}).stdout
        (HERE / "postgresql.sql").write_text(dump, encoding="utf-8")
    finally:
        server.stop()


if __name__ == "__main__":
    main(sys.argv[1])
