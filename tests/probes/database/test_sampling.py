"""Bounded sampling on larger tables: TABLESAMPLE on PostgreSQL, key range / offset window on MariaDB."""

from __future__ import annotations

import pytest

from fixtures.db.servers import DbServer
from scanner.targets import parse_target
from tests.probes.database.helpers import new_database, run_scan

ROWS = 20_000


@pytest.fixture(scope="module")
def pg_large(pg_weak: DbServer) -> str:
    return new_database(pg_weak, "sampel", [
        f"CREATE TABLE warga AS SELECT g AS id, '320101' || lpad((g % 28 + 1)::text, 2, '0') "
        f"|| '0190' || lpad((g % 9999 + 1)::text, 4, '0') AS nik FROM generate_series(1, {ROWS}) g",
        "ANALYZE warga",
    ])


@pytest.fixture(scope="module")
def maria_large(maria_weak: DbServer) -> str:
    nik = "CONCAT('320101', LPAD(seq % 28 + 1, 2, '0'), '0190', LPAD(seq % 9999 + 1, 4, '0'))"
    return new_database(maria_weak, "sampel", [
        "CREATE TABLE warga (id INT PRIMARY KEY, nik CHAR(16))",
        f"INSERT INTO warga SELECT seq, {nik} FROM seq_1_to_{ROWS}",
        "CREATE TABLE tanpa_kunci (nik CHAR(16))",
        f"INSERT INTO tanpa_kunci SELECT {nik} FROM seq_1_to_{ROWS}",
        "ANALYZE TABLE warga, tanpa_kunci",
    ])


def test_postgresql_uses_tablesample(pg_large: str) -> None:
    scan = run_scan(parse_target(pg_large, options={"sample_rows": 100}))
    table = scan.data["tables"][0]
    assert table["row_estimate"] == ROWS
    assert table["sample_method"].startswith("tablesample-system")
    assert 0 < table["sampled_rows"] <= 100
    assert scan.columns()["warga.nik"]["protection"]["state"] == "plaintext"


def test_mariadb_uses_key_points_or_offset_window(maria_large: str) -> None:
    scan = run_scan(parse_target(maria_large, options={"sample_rows": 100, "sample_seed": 3}))
    tables = {t["name"]: t for t in scan.data["tables"]}
    assert tables["warga"]["sample_method"] == "pk-points"
    assert tables["tanpa_kunci"]["sample_method"] == "offset-window"
    for table in tables.values():
        assert table["sampled_rows"] == 100
    assert scan.columns()["warga.nik"]["protection"]["state"] == "plaintext"
    assert scan.data["cost"]["queries"] < 40
