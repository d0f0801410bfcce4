"""Dates of other events and repeated names on real engines (SQLite, PostgreSQL): the held-out
``fixtures/pii_bench/events.py`` schema gives no false critical/high finding and finds every name."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bench.pii_quality import evaluate, scan_url, truth_by_key
from fixtures.db.servers import DbServer
from fixtures.pii_bench.events import build_events
from fixtures.pii_bench.load import load

ROWS = 120


def _postgres_url(server: DbServer) -> str:
    name = f"events_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server.url(with_password=True), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return server.url(database=name, with_password=True, query="sslmode=disable")  # the weak server has no TLS


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_event_dates_and_repeated_names(engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    tables = build_events(ROWS, seed=25)
    url = f"sqlite:///{tmp_path / 'events.db'}" if engine == "sqlite" else _postgres_url(
        request.getfixturevalue("pg_weak"))
    load(url, tables)
    facts, findings = scan_url(url, ROWS)
    score = evaluate(engine, facts, findings, truth_by_key(tables))
    assert score.false_severe == [] and score.false_alarms == [] and score.misses == []
    columns = {".".join(c["key"].split(".")[-2:]): c for c in facts["columns"]}
    assert not any(c["child_data"] for c in columns.values())
    assert columns["ev_pegawai.operator_input"]["kind"] == "name"  # one of four officers on every row
