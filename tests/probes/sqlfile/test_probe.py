"""The sqlfile probe through the real engine and rules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fixtures.db.make_dump import OUT as SAMPLE_DUMP
from scanner.judging.rules import load_rules
from scanner.pii.column_facts import ColumnRef
from scanner.probes.base import ProbeContext
from scanner.probes.sqlfile.probe import SqlFileProbe
from scanner.running.scan import new_scan, scan
from scanner.sql import analyze
from scanner.targets import parse_target

RULES = load_rules()


def _scan(path: Path):  # type: ignore[no-untyped-def]
    target = parse_target(str(path))
    return scan(new_scan([target], RULES), [SqlFileProbe()], RULES, ProbeContext())


def test_sample_dump_findings() -> None:
    result = _scan(SAMPLE_DUMP)
    facts = result.facts[0]
    assert facts.status == "ok" and facts.data["truncated"] is False
    by_rule: dict[str, set[str]] = {}
    for f in result.findings:
        by_rule.setdefault(f.rule_id, set()).add(f.item_key)
    assert {"public.pasien.nik", "public.kunjungan.diagnosa"} <= by_rule["PND-SQL-001"]
    assert {"public.pegawai.nik", "public.pegawai.c_17", "public.pegawai.no_kk"} <= by_rule["PND-SQL-002"]
    assert "public.pegawai.nama_lengkap" in by_rule["PND-SQL-003"]
    assert by_rule["PND-SQL-004"] == {"public.pengguna_lama.password"}
    assert len(by_rule["PND-SQL-006"]) == 1
    assert "public.pegawai.nik_enkripsi" not in set().union(*by_rule.values())
    grant = next(f for f in result.findings if f.rule_id == "PND-SQL-006")
    assert grant.sensitivity == "specific"
    first = next(f for f in result.findings if f.rule_id == "PND-SQL-001")
    assert first.references[0] == "permenkominfo-20-2016:15(2)"


def test_applies_only_to_sql_files(tmp_path: Path) -> None:
    probe = SqlFileProbe()
    sql = tmp_path / "x.sql"
    sql.write_text("SELECT 1;")
    assert probe.applies_to(parse_target(str(sql)))
    assert not probe.applies_to(parse_target("sqlite:///x.db"))


def test_missing_file_is_inconclusive(tmp_path: Path) -> None:
    sql = tmp_path / "gone.sql"
    sql.write_text("SELECT 1;")
    target = parse_target(str(sql))
    sql.unlink()
    result = scan(new_scan([target], RULES), [SqlFileProbe()], RULES, ProbeContext())
    assert result.facts[0].status == "inconclusive"


def test_truncation_of_huge_files(tmp_path: Path) -> None:
    sql = tmp_path / "big.sql"
    sql.write_text(SAMPLE_DUMP.read_text(encoding="utf-8"))
    target = parse_target(str(sql), options={"max_bytes": 4000})
    facts = SqlFileProbe().run(target, ProbeContext())
    assert facts["truncated"] is True and facts["size_bytes"] > 4000


def test_every_rule_evaluates_on_real_facts() -> None:
    result = _scan(SAMPLE_DUMP)
    assert [e.message for e in result.evaluation_errors] == []
    assert {r.id for r in RULES.rules if r.probe == "sqlfile"} <= set(result.evaluated_rules)


HOSTILE_DDL = "CREATE TABLE jebakan (a int CHECK " + "(" * 3000 + "1" + ")" * 3000 + ");\n"


def test_a_statement_that_breaks_the_parser_leaves_the_others(tmp_path: Path) -> None:
    """sqlparse refuses nesting beyond its limit: that statement alone is unread, the dump's others are read."""
    plain = tmp_path / "plain.sql"
    plain.write_text(SAMPLE_DUMP.read_text())
    hostile = tmp_path / "hostile.sql"
    hostile.write_text(HOSTILE_DDL + SAMPLE_DUMP.read_text())
    whole, facts = _scan(plain).facts[0], _scan(hostile).facts[0]
    assert facts.status == "ok"
    assert facts.data["unread"] == [{"line": 1, "statement": "CREATE TABLE", "status": "inconclusive",
                                     "reason": "SQLParseError: Maximum grouping depth exceeded (100)."}]
    assert facts.data["coverage_limits"] == [{"code": "sqlfile_unread", "limit": 1, "total": None}]
    assert [c["key"] for c in facts.data["columns"]] == [c["key"] for c in whole.data["columns"]]
    assert [t["name"] for t in facts.data["tables"]] == [t["name"] for t in whole.data["tables"]]
    assert facts.data["grants"] == [{**g, "line": g["line"] + 1} for g in whole.data["grants"]]


def test_a_table_that_cannot_be_classified_leaves_the_others(monkeypatch: pytest.MonkeyPatch) -> None:
    whole = _scan(SAMPLE_DUMP).facts[0].data
    real = analyze.column_facts

    def column_facts(ref: ColumnRef, values: list[object], **kwargs: Any) -> dict[str, Any] | None:
        if ref.table == "public.pasien":
            raise RuntimeError("classifier broke")
        return real(ref, values, **kwargs)

    monkeypatch.setattr(analyze, "column_facts", column_facts)
    data = _scan(SAMPLE_DUMP).facts[0].data
    assert data["unread"] == [{"table": "public.pasien", "status": "inconclusive",
                               "reason": "RuntimeError: classifier broke"}]
    assert data["columns"] == [c for c in whole["columns"] if c["table"] != "public.pasien"]
    assert data["credentials"] == whole["credentials"] and data["grants"] == whole["grants"]
