"""History store: incremental, idempotent writes; round trips; interrupted scans; previous scan."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest

from scanner.model import Exposure, Facts, Finding, ScanResult, Severity, Target, TargetKind
from scanner.store import COMPLETE, INTERRUPTED, RUNNING, Store, StoreError

WEB = Target(TargetKind.URL, "https://portal.contoh.go.id/", agency="Diskominfo", exposure=Exposure.INTERNET)
DB = Target(TargetKind.DATABASE, "postgresql://pindai@db.contoh.go.id/simpeg", agency="BKPSDM")


def _finding(rule: str, target: Target, key: str, severity: Severity = Severity.HIGH) -> Finding:
    return Finding(rule, target.id, key, severity, 50.0, {"id": "j", "en": "t"}, {"id": "p", "en": "m"},
                   {"name": key}, ["uu-pdp-2022:35"], "tls", target.agency)


def _result(scan_id: str, started: str, findings: list[Finding]) -> ScanResult:
    facts = [Facts("tls", WEB.id, {"protocols": []}), Facts("database", DB.id, status="inconclusive", reason="denied")]
    return ScanResult(scan_id, started, started, "0.1.0", "v1", [WEB, DB], facts, findings, evaluated_rules=["R"])


@pytest.fixture(scope="module")
def postgres():
    """A private PostgreSQL on 127.0.0.1 for the shared-history case."""
    from fixtures.db.servers import start_postgresql

    server = start_postgresql("weak")
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path) -> Store:
    """The same tests on the embedded default and on PostgreSQL (a fresh database each time)."""
    if request.param == "sqlite":
        return Store(f"sqlite:///{tmp_path / 'sub' / 'history.db'}")
    from sqlalchemy import create_engine, text

    server = request.getfixturevalue("postgres")
    name = f"history_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server.url(with_password=True), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return Store(server.url(database=name, with_password=True))


def test_round_trip(store):
    result = _result("aaaa1111", "2026-11-01T00:00:00+00:00", [_finding("PND-TLS-001", WEB, "SSLv3")])
    store.save(result)
    loaded = store.load("aaaa")
    assert loaded.to_dict() == result.to_dict()
    assert store.status("aaaa1111") == COMPLETE
    assert [(s.scan_id, s.targets, s.findings) for s in store.history()] == [("aaaa1111", 2, 1)]


def test_facts_are_written_incrementally_and_idempotently(store):
    result = _result("bbbb2222", "2026-11-02T00:00:00+00:00", [])
    store.begin_scan(replace(result, facts=[]))
    store.add_facts("bbbb2222", result.facts[0])
    store.add_facts("bbbb2222", result.facts[0])
    assert store.status("bbbb2222") == RUNNING and store.latest_unfinished() == "bbbb2222"
    partial = store.load("bbbb2222")
    assert [(f.target_id, f.probe) for f in partial.facts] == [(WEB.id, "tls")]
    store.finish_scan(partial, INTERRUPTED)
    assert store.latest_unfinished() == "bbbb2222"
    store.finish_scan(partial)
    assert store.latest_unfinished() is None


def test_personal_data_in_facts_is_masked_before_storage(store):
    nik = "3201014509900001"
    leaky = Facts("http", WEB.id, {"body_sample": f"NIK pemohon {nik}"})
    result = replace(_result("cccc3333", "2026-11-03T00:00:00+00:00", []), facts=[leaky])
    store.save(result)
    with store.engine.connect() as conn:
        dumped = str(conn.exec_driver_sql("select data from pindai_facts").all())
    assert "body_sample" in dumped
    assert nik not in dumped and "3201********0001" in dumped


def test_previous_scan_for_trends(store):
    old = _result("old00001", "2026-10-01T00:00:00+00:00", [_finding("PND-TLS-001", WEB, "SSLv3")])
    other = replace(_result("other001", "2026-10-15T00:00:00+00:00", []),
                    targets=[Target(TargetKind.URL, "https://lain.go.id/")])
    new = _result("new00001", "2026-11-01T00:00:00+00:00", [])
    for r in (old, other, new):
        store.save(r)
    previous = store.previous(new)
    assert previous is not None and previous.scan_id == "old00001"


def test_errors_are_store_errors(store, tmp_path):
    with pytest.raises(StoreError, match="no scan"):
        store.load("nope")
    with pytest.raises(StoreError, match="cannot open history store"):
        Store("postgresql+nosuchdriver://x@127.0.0.1/db")


def test_read_failures_are_store_errors(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'h.db'}")
    with store.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE pindai_findings")
    with pytest.raises(StoreError, match="history store read failed"):
        store.history()


def test_new_store_file_is_private(tmp_path):
    """The history store is created 0600 in new 0700 directories (was 0644, world-readable)."""
    import stat

    from scanner.store import Store

    path = tmp_path / "data" / "pindai" / "history.db"
    existing = stat.S_IMODE(tmp_path.stat().st_mode)
    store = Store(f"sqlite:///{path}")
    store.history()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o700
    assert stat.S_IMODE(tmp_path.stat().st_mode) == existing  # an existing directory is left alone


@pytest.mark.parametrize("url", ["postgresql://u:StorePw3@[::1/x", "postgresql://u@h:99999/x?password+=StorePw3",
                                 "postgresql://u:StorePw3@h:port/x"])
def test_malformed_store_url_is_a_usage_error_without_traceback(url: str) -> None:
    """Security review 2026-12-06 (#5, NEW-16): a traceback and exit 1 ("findings") before."""
    from click.testing import CliRunner

    from scanner.cli import main

    result = CliRunner().invoke(main, ["history", "--store", url])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "StorePw3" not in result.output
    assert "history store" in result.output


def test_a_silent_postgresql_server_is_a_store_error_not_a_hang(tmp_path):
    """A server that accepts the connection and never answers (a hung or half-dead PostgreSQL): the store
    gives up after its connect timeout instead of waiting forever."""
    import socket
    import threading

    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    held: list[socket.socket] = []
    threading.Thread(target=lambda: held.append(listener.accept()[0]), daemon=True).start()
    outcome: list[BaseException | None] = []

    def open_store() -> None:
        try:
            Store(f"postgresql+psycopg://pindai@127.0.0.1:{port}/pindai")
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=open_store, daemon=True)
    try:
        thread.start()
        thread.join(60)  # hang detector
        assert outcome, "opening the store still waits for a server that never answers"
        assert isinstance(outcome[0], StoreError) and "timeout" in str(outcome[0]).lower()
    finally:
        listener.close()
        for conn in held:
            conn.close()
