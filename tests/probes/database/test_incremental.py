"""``pindai scan --changed-only``: only new or altered columns are sampled; the rest is carried forward."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from fixtures.db.seed import seed
from fixtures.db.servers import DbServer
from scanner.cli import main
from scanner.probes.base import ProbeContext
from scanner.probes.database.probe import DatabaseProbe
from scanner.targets import parse_target
from tests.probes.database.helpers import new_database


def _cli_scan(db: Path, store: str, out: Path, *extra: str) -> dict[str, Any]:
    result = CliRunner().invoke(main, ["scan", f"sqlite:///{db}", "--store", store, "--json", str(out), *extra])
    assert result.exit_code in (0, 1), result.output
    return json.loads(out.read_text(encoding="utf-8"))


def _database_facts(result: dict[str, Any]) -> dict[str, Any]:
    return next(f["data"] for f in result["facts"] if f["probe"] == "database")


def test_changed_only_samples_new_columns_and_carries_the_rest(tmp_path: Path) -> None:
    db, store = tmp_path / "simpeg.db", f"sqlite:///{tmp_path / 'history.db'}"
    seed(f"sqlite:///{db}", 120)
    first = _cli_scan(db, store, tmp_path / "first.json")
    assert _database_facts(first)["incremental"] is None
    engine = create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE pegawai ADD COLUMN no_wa VARCHAR(16)"))
        conn.execute(text("UPDATE pegawai SET no_wa = no_hp"))
    engine.dispose()
    second = _cli_scan(db, store, tmp_path / "second.json", "--changed-only")
    facts = _database_facts(second)
    assert facts["incremental"]["since_scan"] == first["scan_id"]
    assert facts["incremental"]["changed_columns"] == 1
    tables = {t["name"]: t for t in facts["tables"]}
    assert tables["pegawai"]["changed_columns"] == ["no_wa"] and tables["pegawai"]["status"] == "ok"
    assert set(tables["pegawai"]["sample"]["non_null"]) == {"no_wa"}  # only the new column was read
    assert tables["pasien"]["status"] == "carried-forward" and tables["pasien"]["sampled_rows"] == 0
    columns = {c["key"]: c for c in facts["columns"]}
    assert columns["pegawai.no_wa"]["kind"] == "phone" and columns["pegawai.no_wa"]["value_confirmed"]
    assert "carried_forward" not in columns["pegawai.no_wa"]
    old = {c["key"]: c for c in _database_facts(first)["columns"]}
    for key in ("pegawai.nik", "pasien.nik", "kunjungan.diagnosa"):
        assert columns[key]["carried_forward"] and columns[key]["carried_from"] == first["scan_id"]
        assert columns[key]["protection"] == old[key]["protection"]
    credentials = {c["key"]: c for c in facts["credentials"]}
    assert credentials["operator.kata_sandi"]["carried_forward"]
    plain = next(f for f in second["findings"] if f["rule_id"] == "PND-DB-006")
    assert "carried forward" in plain["message"]["en"]
    # the carried verdicts still raise their findings, and say so
    assert {f["rule_id"] for f in first["findings"]} <= {f["rule_id"] for f in second["findings"]}
    carried = [f for f in second["findings"] if f["rule_id"] == "PND-DB-001"]
    assert carried and all(f"carried forward from scan {first['scan_id']}" in f["message"]["en"] for f in carried)
    assert not any("carried forward" in f["message"]["en"] for f in first["findings"])


def test_changed_only_needs_the_store(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    seed(f"sqlite:///{db}", 10)
    result = CliRunner().invoke(main, ["scan", f"sqlite:///{db}", "--no-store", "--changed-only"])
    assert result.exit_code == 2 and "--changed-only needs the history store" in result.output


@pytest.mark.parametrize("engine", ["postgresql", "mariadb"])
def test_altered_column_type_is_sampled_again(engine: str, pg_weak: DbServer, maria_weak: DbServer) -> None:
    server = pg_weak if engine == "postgresql" else maria_weak
    url = new_database(server, "ubah_tipe", [
        "CREATE TABLE warga (id INTEGER PRIMARY KEY, nik VARCHAR(16), catatan VARCHAR(40))",
        "INSERT INTO warga VALUES (1, '3201014508900001', 'a'), (2, '3201010101850002', 'b')",
    ])
    target = parse_target(url, options={"sample_rows": 50, "sample_seed": 1})
    first = DatabaseProbe().run(target, ProbeContext())
    alter = ("ALTER TABLE warga ALTER COLUMN catatan TYPE TEXT" if engine == "postgresql"
             else "ALTER TABLE warga MODIFY catatan TEXT")
    admin = create_engine(url.replace("postgresql://", "postgresql+psycopg://").replace("mariadb://", "mysql+pymysql://")
                          .split("?")[0])
    with admin.begin() as conn:
        conn.execute(text(alter))
    admin.dispose()
    previous = {target.id: {"database": {"scan_id": "s1", "data": first}}}
    second = DatabaseProbe().run(target, ProbeContext(previous=previous))
    table = second["tables"][0]
    assert table["changed_columns"] == ["catatan"]
    assert second["incremental"] == {"since_scan": "s1", "changed_columns": 1, "carried_columns": 2}
    nik = next(c for c in second["columns"] if c["key"] == "warga.nik")
    assert nik["carried_forward"]
