"""Partial coverage is said aloud: through `pindai scan`, a cap that cut an observation short or a
rule that could not be evaluated gives a localised note in every report and on stderr, and exit 3
when no finding gives exit 1. Hostile target text cannot stop the report files being written."""

from __future__ import annotations

import csv
import html
import io
import json
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

from click.testing import CliRunner, Result

from fixtures.hostile.recording import RecordingSite
from scanner.cli import main
from scanner.resources import rules_dir

OUTPUTS = ("json", "html", "sarif", "junit", "csv", "markdown")
NIKS = ",\n".join(f"({i}, '3201011201{i:02d}0001', 'Warga {i}')" for i in range(1, 40))
PENDUDUK = f"CREATE TABLE penduduk (id INT, nik VARCHAR(16), nama VARCHAR(60));\nINSERT INTO penduduk VALUES\n{NIKS};\n"


def _scan(tmp_path: Path, *args: str) -> tuple[Result, dict[str, str]]:
    files = {fmt: tmp_path / f"out.{fmt}" for fmt in OUTPUTS}
    options = [item for fmt, path in files.items() for item in (f"--{fmt}", str(path))]
    result = CliRunner().invoke(main, ["scan", "--no-store", "--lang", "en", *args, *options],
                                catch_exceptions=False)
    return result, {fmt: path.read_text(encoding="utf-8") for fmt, path in files.items() if path.exists()}


def _profile(tmp_path: Path, target: Path | str, options: str) -> Path:
    path = tmp_path / "profile.toml"
    path.write_text(f'name = "partial"\nlang = "en"\n\n[[targets]]\ntarget = "{target}"\noptions = {{ {options} }}\n',
                    encoding="utf-8")
    return path


def _assert_noted_everywhere(result: Result, reports: dict[str, str], needle: str) -> None:
    """The note is on stderr and in every report format, in the form that format shows."""
    assert set(reports) == set(OUTPUTS)
    assert needle in result.stderr
    summary = json.loads(reports["json"])["summary"]
    assert summary["complete"] is False and any(needle in n["text"] for n in summary["coverage"])
    assert needle in html.unescape(reports["html"]) and 'id="coverage"' in reports["html"]
    notifications = json.loads(reports["sarif"])["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert any(needle in n["message"]["text"] for n in notifications)
    junit = ET.fromstring(reports["junit"].encode())
    assert any(needle in (element.text or "") for element in junit.iter() if element.tag in ("skipped", "error"))
    rows = list(csv.reader(io.StringIO(reports["csv"].lstrip("\ufeff"))))
    assert any(row[rows[0].index("Status")] == "partial" and needle in row[rows[0].index("Message")] for row in rows)
    assert "### ⚠️ Partial coverage" in reports["markdown"] and needle in reports["markdown"].replace("\\", "")


def test_dump_cut_by_the_byte_cap_is_partial_not_clean(tmp_path: Path) -> None:
    dump = tmp_path / "dump.sql"
    filler = "".join(f"-- padding line {i:05d} of an older export\n" for i in range(200))  # ~8 KB before penduduk
    dump.write_text(filler + PENDUDUK, encoding="utf-8")
    result, reports = _scan(tmp_path, "--profile", str(_profile(tmp_path, dump, "max_bytes = 4096")))
    assert result.exit_code == 3, result.output
    _assert_noted_everywhere(result, reports, "Only the first 4,096 of")
    assert "3201011201010001" not in "".join(reports.values())


def test_database_with_more_tables_than_max_tables_is_partial(tmp_path: Path) -> None:
    db = tmp_path / "many.db"
    with sqlite3.connect(db) as conn:
        for n in range(12):
            conn.execute(f"CREATE TABLE t{n:02d} (id INTEGER PRIMARY KEY, note TEXT)")
    result, reports = _scan(tmp_path, "--profile", str(_profile(tmp_path, f"sqlite:///{db}", "max_tables = 5")))
    assert result.exit_code == 3, result.output
    _assert_noted_everywhere(result, reports, "Only 5 of 12 tables were checked")


def test_complete_scan_still_exits_0(tmp_path: Path) -> None:
    dump = tmp_path / "clean.sql"
    dump.write_text("CREATE TABLE kode (id INT, nama VARCHAR(20));\nINSERT INTO kode VALUES (1, 'satu');\n")
    result, reports = _scan(tmp_path, str(dump))
    assert result.exit_code == 0, result.output
    assert json.loads(reports["json"])["summary"] == {**json.loads(reports["json"])["summary"], "complete": True,
                                                      "coverage": []}


def _broken_pack(tmp_path: Path) -> Path:
    """The shipped sqlfile pack with one rule reading a field that no observation has."""
    text = (rules_dir() / "sqlfile.yaml").read_text(encoding="utf-8")
    applies = 'facts.columns.exists(c, c.has_values && c.category == "specific")'  # PND-SQL-001's applicability
    when = 'facts.columns.filter(c, c.has_values && c.category == "specific"'  # and its condition
    broken = text.replace(applies, applies.replace("c.category", "c.no_such_field"), 1)
    broken = broken.replace(when, when.replace("c.category", "c.no_such_field"), 1)
    assert broken.count("no_such_field") == 2
    path = tmp_path / "rules" / "sqlfile.yaml"
    path.parent.mkdir()
    path.write_text(broken, encoding="utf-8")
    return path.parent


def test_rule_that_fails_to_evaluate_makes_the_scan_partial(tmp_path: Path) -> None:
    dump = tmp_path / "clean.sql"
    dump.write_text("CREATE TABLE kode (id INT, nama VARCHAR(20));\nINSERT INTO kode VALUES (1, 'satu');\n")
    result, reports = _scan(tmp_path, str(dump), "--rules", str(_broken_pack(tmp_path)), "--no-default-rules")
    assert result.exit_code == 3, result.output
    needle = "Rule PND-SQL-001 could not be evaluated on this target: no such fact: 'no_such_field'"
    _assert_noted_everywhere(result, reports, needle)
    assert len([line for line in result.stderr.splitlines() if "PND-SQL-001" in line]) == 1  # per rule and target


def test_rules_validate_evaluates_rules_on_example_facts(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["rules", "validate", str(_broken_pack(tmp_path))])
    assert result.exit_code == 2  # the misspelt field is named before any example is evaluated
    assert "sqlfile.yaml: PND-SQL-001: applies_when: no such fact 'c.no_such_field'" in result.stderr
    assert "sqlfile.yaml: PND-SQL-001: when: no such fact 'c.no_such_field'" in result.stderr
    assert CliRunner().invoke(main, ["rules", "validate"]).exit_code == 0


def test_rich_markup_and_terminal_escapes_from_a_target_neither_crash_nor_reach_the_terminal(tmp_path: Path) -> None:
    osc8 = "\x1b]8;;http://evil.example/\x07click\x1b]8;;\x07"
    dump = tmp_path / "hostile.sql"
    dump.write_text(PENDUDUK.replace("penduduk", f'"warga[/]{osc8}"'), encoding="utf-8")
    result, reports = _scan(tmp_path, str(dump))
    assert result.exit_code == 0, result.output
    assert set(reports) == set(OUTPUTS)
    assert "PND-SQL-002" in result.stdout and "warga[/]" in result.stdout  # the finding names the table
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout


def test_one_malformed_script_src_keeps_the_end_of_life_findings(tmp_path: Path) -> None:
    """R7 (issue 24): a single ``<script src="http://[x]/a.js">`` must not hide PHP/WordPress end of life."""
    page = (b'<html><head><meta name="generator" content="WordPress 4.9.1">'
            b'<script src="http://[x]/a.js"></script><script src="/wp-includes/js/jquery/jquery.js?ver=1.12.4">'
            b'</script></head><body>portal</body></html>')
    with RecordingSite("127.0.0.1", {"/": (200, {"X-Powered-By": "PHP/5.4.0"}, page)}) as site:
        result, reports = _scan(tmp_path, site.url, "--probe", "http", "--fail-on", "high")
    assert result.exit_code == 1, result.output
    data = json.loads(reports["json"])
    [http] = [f for f in data["facts"] if f["probe"] == "http"]
    assert http["data"]["software"]["status"] == "ok"
    eol = " ".join(f["message"]["en"].lower() for f in data["findings"] if f["rule_id"] == "PND-HTTP-040")
    assert "php 5.4.0" in eol and "wordpress 4.9.1" in eol


def test_sub_checks_stopped_by_429_back_off_make_the_scan_partial(tmp_path: Path) -> None:
    """A site answering ``429 Retry-After: 1`` to everything but ``/`` cannot hide .env or .git (issue 24)."""
    page = b"<html><body>" + b"".join(b"<a href='/p%d'>p</a>" % i for i in range(5)) + b"</body></html>"
    routes = {"/": (200, {}, page)}
    with RecordingSite("127.0.0.1", routes, default=(429, {"Retry-After": "0"}, b"slow down")) as site:
        result, reports = _scan(tmp_path, site.url, "--probe", "http", "--fail-on", "critical", "--timeout", "2")
    assert result.exit_code == 3, result.output
    _assert_noted_everywhere(result, reports, "could not be completed")
