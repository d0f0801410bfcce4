"""Schema migrations: stores of Pindai 0.1.0 upgrade in place (SQLite, PostgreSQL); newer ones are refused."""

from __future__ import annotations

import importlib.util
import shutil
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from scanner.history import schema
from scanner.history.store import Store, StoreError

LEGACY = Path(__file__).parent.parent / "data" / "store-0.1.0"


def _recorded_results() -> list:
    spec = importlib.util.spec_from_file_location("store_010_make", LEGACY / "make.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.results()


@pytest.fixture(scope="module")
def postgres():
    from fixtures.db.servers import start_postgresql

    server = start_postgresql("weak")
    yield server
    server.stop()


def new_pg_database(server) -> str:
    name = f"schema_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server.url(with_password=True), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return server.url(database=name, with_password=True)


def _legacy_sqlite(tmp_path: Path) -> str:
    path = tmp_path / "history.db"
    shutil.copyfile(LEGACY / "history.sqlite", path)
    return f"sqlite:///{path}"


def _legacy_postgresql(server) -> str:
    url = new_pg_database(server)
    dump = "\n".join(line for line in (LEGACY / "postgresql.sql").read_text(encoding="utf-8").splitlines()
                     if not line.startswith("\\"))
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(dump)
        assert not inspect(conn).has_table(schema.VERSION_TABLE)
    engine.dispose()
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def legacy_url(request, tmp_path) -> str:
    """A store as Pindai 0.1.0 wrote it (recorded by tests/data/store-0.1.0/make.py with that release's code)."""
    if request.param == "sqlite":
        return _legacy_sqlite(tmp_path)
    return _legacy_postgresql(request.getfixturevalue("postgres"))


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'fresh.db'}"
    return new_pg_database(request.getfixturevalue("postgres"))


def test_store_of_release_0_1_0_upgrades_in_place_without_losing_a_scan(legacy_url):
    expected = {r.scan_id: r.to_dict() for r in _recorded_results()}
    store = Store(legacy_url)
    with store.engine.connect() as conn:
        assert schema.current(conn) == (schema.HEAD,)
        assert inspect(conn).has_table("pindai_followup")
    assert {s.scan_id for s in store.history()} == set(expected)
    for scan_id, data in expected.items():
        assert store.load(scan_id).to_dict() == data
    store.save(_recorded_results()[0].__class__.from_dict({**expected["0a0a0a0a02"], "scan_id": "0a0a0a0a03",
                                                            "started_at": "2026-11-15T01:00:00+00:00"}))
    assert len(Store(legacy_url).history()) == 3  # reopening an upgraded store is a no-op


def test_upgraded_store_has_the_same_schema_as_a_new_one(tmp_path):
    upgraded, fresh = Store(_legacy_sqlite(tmp_path)), Store(f"sqlite:///{tmp_path / 'new.db'}")

    def shape(store: Store) -> dict[str, object]:
        inspector = inspect(store.engine)
        return {t: (sorted(c["name"] for c in inspector.get_columns(t)),
                    sorted(i["name"] or "" for i in inspector.get_indexes(t)))
                for t in sorted(inspector.get_table_names())}

    assert shape(upgraded) == shape(fresh)


def test_store_of_a_newer_release_is_refused_untouched(fresh_url):
    Store(fresh_url).engine.dispose()
    engine = create_engine(fresh_url)
    with engine.begin() as conn:
        conn.execute(text(f"UPDATE {schema.VERSION_TABLE} SET version_num = '9001'"))
    with pytest.raises(StoreError, match=r"revision 9001, newer than this Pindai knows .*upgrade Pindai"):
        Store(fresh_url)
    with engine.connect() as conn:
        assert schema.current(conn) == ("9001",)
    engine.dispose()


def test_follow_up_log_is_append_only(fresh_url):
    store = Store(fresh_url)
    with store.engine.begin() as conn:
        conn.execute(text("INSERT INTO pindai_followup_log (fingerprint, at, actor, from_state, to_state, note) "
                          "VALUES ('f', 't', 'a', '', 'open', '')"))
    for statement in ("UPDATE pindai_followup_log SET note = 'rewritten'", "DELETE FROM pindai_followup_log"):
        with pytest.raises(Exception, match="append-only"), store.engine.begin() as conn:
            conn.execute(text(statement))
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT note FROM pindai_followup_log")).scalars().all() == [""]


def test_head_constant_is_the_newest_migration():
    assert schema.script_head() == schema.HEAD


def test_commands_refuse_a_newer_store_with_exit_2(tmp_path):
    from click.testing import CliRunner

    from scanner.cli import main

    url = f"sqlite:///{tmp_path / 'newer.db'}"
    Store(url).engine.dispose()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"UPDATE {schema.VERSION_TABLE} SET version_num = '9001'"))
    engine.dispose()
    for args in (["history"], ["findings", "list"], ["serve"]):
        run = CliRunner().invoke(main, [*args, "--store", url])
        assert run.exit_code == 2 and "newer than this Pindai knows" in run.output, (args, run.output)


def test_a_scan_stored_at_revision_0003_loads_and_renders_after_0004(fresh_url, tmp_path):
    """Upgrading from 0003 (no ``applicable`` column) keeps the scan; it loads with applicability None, and a
    report of it works the applicability out from its facts; the next scan stores its own."""
    import json
    from dataclasses import replace

    from alembic import command
    from click.testing import CliRunner

    from scanner.cli import main
    from tests.history.test_store import _judged_demo

    result, _ruleset = _judged_demo("0303030303")
    engine = create_engine(fresh_url)
    with engine.begin() as conn:
        command.upgrade(schema._config(conn), "0003")
    with engine.begin() as conn:
        assert schema.current(conn) == ("0003",)
        assert "applicable" not in {c["name"] for c in inspect(conn).get_columns("pindai_scans")}
        columns = {"scan_id": result.scan_id, "started_at": result.started_at, "finished_at": result.finished_at,
                   "status": "complete", "tool_version": result.tool_version,
                   "rulepack_version": result.rulepack_version, "profile": json.dumps(result.profile),
                   "targets": json.dumps([t.to_dict() for t in result.targets]),
                   "evaluated_rules": json.dumps(result.evaluated_rules),
                   "evaluation_errors": json.dumps([e.to_dict() for e in result.evaluation_errors])}
        conn.execute(text(f"INSERT INTO pindai_scans ({', '.join(columns)}) "  # the columns revision 0003 has
                          f"VALUES ({', '.join(':' + c for c in columns)})"), columns)
    engine.dispose()
    store = Store(fresh_url)
    with store.engine.connect() as conn:
        assert schema.current(conn) == (schema.HEAD,) == ("0004",)
    for observation in result.facts:
        store.add_facts(result.scan_id, observation)
    loaded = store.load("0303030303")
    assert loaded.applicable is None and loaded.evaluated_rules == result.evaluated_rules
    out = tmp_path / "old.json"
    run = CliRunner().invoke(main, ["report", "0303030303", "--store", fresh_url, "--json", str(out)])
    assert run.exit_code == 0, run.output
    assert json.loads(out.read_text(encoding="utf-8"))["applicable"] == result.applicable
    store.save(replace(result, scan_id="0404040404"))
    assert store.load("0404040404").applicable == result.applicable

