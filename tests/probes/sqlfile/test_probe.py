"""The sqlfile probe through the real engine and rules."""

from __future__ import annotations

from pathlib import Path

from fixtures.db.make_dump import OUT as SAMPLE_DUMP
from scanner.probes.base import ProbeContext
from scanner.probes.sqlfile.probe import SqlFileProbe
from scanner.rules import load_rules
from scanner.scan import new_scan, scan
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
