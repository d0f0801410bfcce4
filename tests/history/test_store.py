"""History store: incremental, idempotent writes; round trips; interrupted scans; previous scan."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest

from scanner.history.store import COMPLETE, INTERRUPTED, RUNNING, Store, StoreError
from scanner.model import Exposure, Facts, Finding, ScanResult, Severity, Target, TargetKind

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
    """Each target and probe is compared with its own last conclusive observation, not with the
    latest scan that happens to share a target."""
    old = _result("old00001", "2026-10-01T00:00:00+00:00", [_finding("PND-TLS-001", WEB, "SSLv3")])
    lain = Target(TargetKind.URL, "https://lain.go.id/")
    other = replace(_result("other001", "2026-10-15T00:00:00+00:00", [_finding("PND-TLS-001", lain, "SSLv3")]),
                    targets=[lain], facts=[Facts("tls", lain.id, {"protocols": []})])
    db_seen = replace(_result("dbseen01", "2026-10-20T00:00:00+00:00", []), targets=[DB],
                      facts=[Facts("database", DB.id, {"columns": []})])
    new = _result("new00001", "2026-11-01T00:00:00+00:00", [])
    for r in (old, other, db_seen, new):
        store.save(r)
    previous = store.previous(new)
    assert previous is not None and previous.scan_id == "old00001+dbseen01"
    assert [s["scan_id"] for s in previous.profile["compared_scans"]] == ["old00001", "dbseen01"]
    assert [f.target_id for f in previous.findings] == [WEB.id]  # never lain.go.id's finding
    assert {(f.target_id, f.probe) for f in previous.facts} == {(WEB.id, "tls"), (DB.id, "database")}


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

    from scanner.history.store import Store

    path = tmp_path / "data" / "pindai" / "history.db"
    existing = stat.S_IMODE(tmp_path.stat().st_mode)
    store = Store(f"sqlite:///{path}")
    store.history()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o700
    assert stat.S_IMODE(tmp_path.stat().st_mode) == existing  # an existing directory is left alone


def test_history_says_when_a_complete_scan_did_not_observe_everything(store):
    full = replace(_result("full0001", "2026-11-01T00:00:00+00:00", []), targets=[WEB],
                   facts=[Facts("tls", WEB.id, {"protocols": []})])
    capped = replace(_result("capd0001", "2026-11-02T00:00:00+00:00", []), targets=[WEB],
                     facts=[Facts("tls", WEB.id, {"coverage_limits": [{"code": "x", "limit": 1}]})])
    partly = _result("part0001", "2026-11-03T00:00:00+00:00", [])  # DB inconclusive, WEB observed
    nothing = replace(_result("none0001", "2026-11-04T00:00:00+00:00", []),
                      facts=[Facts("tls", WEB.id, status="inconclusive", reason="timeout")])
    for r in (full, capped, partly, nothing):
        store.save(r)
    shown = {s.scan_id: s.shown_status for s in store.history()}
    assert shown == {"full0001": "complete", "capd0001": "partial", "part0001": "partial",
                     "none0001": "not_assessed"}


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


def _judged_demo(scan_id: str = "d0d0d0d0"):
    """The demo's recorded facts judged under the shipped rules (where each rule applied included)."""
    import json
    from pathlib import Path

    from scanner.judging.rules import load_rules
    from scanner.running.scan import judged

    raw = json.loads((Path(__file__).parent.parent / "data" / "demo-facts.json").read_text(encoding="utf-8"))
    ruleset = load_rules()
    at = "2026-11-20T01:00:00+00:00"
    result = judged(ScanResult(scan_id, at, at, "0.1.0", "", [Target.from_dict(t) for t in raw["targets"]],
                               [Facts.from_dict(f) for f in raw["facts"]]), ruleset)
    return result, ruleset


def _forget_applicability(store: Store, scan_id: str) -> None:
    """Make the row look as a scan stored before revision 0004: no record of where rules applied."""
    from sqlalchemy import update

    from scanner.history.store import scans

    with store.engine.begin() as conn:
        conn.execute(update(scans).where(scans.c.scan_id == scan_id).values(applicable=None))


def _fail_if_rules_are_evaluated(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args, **_kwargs):
        raise AssertionError("applicability was worked out again instead of read from the store")

    monkeypatch.setattr("scanner.judging.engine.applicable_targets", refuse)


def test_where_each_rule_applied_is_stored_and_read_back(store, monkeypatch):
    """finish_scan/save write ScanResult.applicable, load reads it: rendering never re-runs CEL for it."""
    from scanner.judging.compliance import compliance_view
    from scanner.running.scan import with_applicability

    result, ruleset = _judged_demo()
    assert result.applicable
    store.save(result)
    loaded = store.load("d0d0")
    assert loaded.applicable == result.applicable
    assert loaded.to_dict() == result.to_dict()
    _fail_if_rules_are_evaluated(monkeypatch)
    assert with_applicability(loaded, ruleset) is loaded

    def statuses(r: ScanResult) -> dict[str, tuple[str, dict[str, list[str]]]]:
        return {row.article.ref: (row.status, row.tested) for rows in compliance_view(r, ruleset).values()
                for row in rows}

    assert statuses(loaded) == statuses(result)
    assert any(status == "no_findings" for status, _ in statuses(loaded).values())


def test_a_scan_stored_without_applicability_still_renders_from_its_facts(store, tmp_path):
    """An older row (NULL) loads as None; `pindai report SCAN_ID` works it out from the stored facts."""
    import json

    from click.testing import CliRunner

    from scanner.cli import main

    result, _ruleset = _judged_demo("01d01d01")
    store.save(result)
    _forget_applicability(store, "01d01d01")
    assert store.load("01d01d01").applicable is None
    out = tmp_path / "old.json"
    run = CliRunner().invoke(main, ["report", "01d01d01", "--store", store.url, "--json", str(out), "--format",
                                    "json", "--lang", "en"])
    assert run.exit_code == 0, run.output
    rendered = json.loads(out.read_text(encoding="utf-8"))
    assert rendered["applicable"] == result.applicable
    fresh = tmp_path / "fresh.json"
    store.save(replace(result, scan_id="02d02d02"))
    assert CliRunner().invoke(main, ["report", "02d02d02", "--store", store.url, "--json", str(fresh),
                                     "--lang", "en"]).exit_code == 0
    assert json.loads(fresh.read_text(encoding="utf-8"))["compliance"] == rendered["compliance"]


def test_rejudge_of_a_stored_scan_updates_where_each_rule_applied(store, tmp_path):
    """`pindai rejudge SCAN_ID --update-store` replaces the findings and the applicability of the stored scan
    (an older row without one gets it); its facts and status stay."""
    import json

    from click.testing import CliRunner

    from scanner.cli import main

    result, _ruleset = _judged_demo("03d03d03")
    store.save(result)
    _forget_applicability(store, "03d03d03")
    run = CliRunner().invoke(main, ["rejudge", "03d0", "--store", store.url, "--update-store"])
    assert run.exit_code == 3, run.output  # the demo's facts leave some rules unevaluated: not complete
    assert "updated scan 03d03d03" in run.stderr
    again = store.load("03d03d03")
    assert again.applicable == result.applicable
    assert [f.fingerprint for f in again.findings] == [f.fingerprint for f in result.findings]
    assert store.status("03d03d03") == COMPLETE and len(again.facts) == len(result.facts)
    as_file = tmp_path / "result.json"
    as_file.write_text(json.dumps(result.to_dict()), encoding="utf-8")
    file_run = CliRunner().invoke(main, ["rejudge", str(as_file), "--store", store.url, "--update-store"])
    assert file_run.exit_code == 2 and "needs a stored scan id" in file_run.stderr
