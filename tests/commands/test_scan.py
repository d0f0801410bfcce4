"""`pindai scan` tells the truth about what it could not observe: real silent and plain-HTTP ports."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from scanner.cli import main
from tests.report.validation import errors, result_validator
from tests.services.targets import ApiServer, api_server


@contextmanager
def silent_port() -> Iterator[int]:
    """A port whose kernel accepts TCP connections (listen backlog) and that never says a word."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()


@contextmanager
def plain_http_server() -> Iterator[ApiServer]:
    """A real plain-HTTP server (no TLS) on 127.0.0.1; ``hits`` lists the paths it was asked for."""
    with api_server() as api:
        yield api


def _port(api: ApiServer) -> int:
    return urlsplit(api.url).port or 80


@contextmanager
def _plain_port() -> Iterator[int]:
    with plain_http_server() as api:
        yield _port(api)


def _scan(*args: str):
    return CliRunner().invoke(main, ["scan", *args], catch_exceptions=False)


def test_a_missing_file_name_is_not_a_host(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    for args in (["settings.py"], ["--probe", "code", "REAMDE.md"]):
        result = _scan(*args, "--no-store")
        assert result.exit_code == 2, result.output
        name = args[-1]
        assert "not found" in result.stderr and f"https://{name}/" in result.stderr
        assert "tidak ditemukan" in result.stderr


def test_bare_host_port_answering_plain_http_is_scanned_as_http() -> None:
    with plain_http_server() as api:
        port = _port(api)
        result = _scan(f"127.0.0.1:{port}", "--probe", "http", "--no-store", "--format", "json", "--lang", "en",
                       "--timeout", "2")
    assert result.exit_code in (0, 1), result.output
    data = json.loads(result.stdout)
    (target,) = data["targets"]
    assert target["location"] == f"http://127.0.0.1:{port}/" and "scheme_note" in target["options"]
    assert f"answers plain HTTP, not TLS: scanned as http://127.0.0.1:{port}/" in result.stderr
    assert all(f["status"] == "ok" for f in data["facts"]) and api.hits


def test_unwritable_output_stops_before_any_traffic(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    with plain_http_server() as api:
        port = _port(api)
        for option, path in (("--html", blocker / "r.html"), ("--json", tmp_path),
                             ("--per-agency-dir", blocker / "sub")):
            result = CliRunner().invoke(main, ["scan", f"http://127.0.0.1:{port}/", "--no-store", option, str(path)])
            assert result.exit_code == 2, result.output
            assert ("cannot write the report" in result.stderr or "is a directory" in result.stderr)
            assert "Traceback" not in result.output
    assert api.hits == []


def test_unreachable_site_is_not_assessed_everywhere(tmp_path: Path, monkeypatch) -> None:
    """Posture, HTML card, terminal opening line, history status and exit code agree."""
    monkeypatch.setenv("PINDAI_STORE", f"sqlite:///{tmp_path / 'h.db'}")
    html = tmp_path / "dead.html"
    summary = tmp_path / "dead-summary.html"
    result = _scan("http://127.0.0.1:1/", "--html", str(html), "--summary", str(summary), "--timeout", "2")
    assert result.exit_code == 3, result.output
    management = summary.read_text(encoding="utf-8")
    assert "Tidak dapat dinilai" in management and "Baik — tidak ada temuan terbuka" not in management
    assert "Tidak ada temuan." not in result.stdout
    assert result.stdout.startswith("Tidak dapat dinilai")
    page = html.read_text(encoding="utf-8")
    assert "card posture posture-good" not in page and "Baik — tidak ada temuan terbuka" not in page
    assert "card posture posture-not_assessed" in page and "Tidak dapat dinilai" in page
    as_json = _scan("http://127.0.0.1:1/", "--format", "json", "--no-store", "--lang", "en")
    document = json.loads(as_json.stdout)
    assert document["summary"]["risk_posture"] == "not_assessed" and document["summary"]["assessment"] == "none"
    assert errors(result_validator(), document) == []  # the published JSON schema knows the new values
    listed = CliRunner().invoke(main, ["history"]).stdout
    assert "not_assessed" in listed and " complete " not in listed


def test_partly_observed_scan_is_partial(tmp_path: Path) -> None:
    source = tmp_path / "app"
    source.mkdir()
    (source / "ok.py").write_text("print('halo')\n", encoding="utf-8")
    result = _scan(str(source), "http://127.0.0.1:1/", "--no-store", "--format", "json", "--lang", "en")
    assert result.exit_code == 3
    assert json.loads(result.stdout)["summary"]["risk_posture"] == "partial"
    table = _scan(str(source), "http://127.0.0.1:1/", "--no-store", "--lang", "en")
    assert table.stdout.startswith("No findings in what was observed, but 1 of 2 targets")


@pytest.mark.parametrize("peer,reason", [("silent", "silent service"), ("plain-http", "plain HTTP")])
def test_tls_without_a_handshake_is_inconclusive(peer: str, reason: str) -> None:
    """A port that accepts and never answers, or a plain-HTTP server behind https://: exit 3 with the
    reason, no facts (no fallback-SCSV "ok" with zero protocols), nothing "tested"."""
    with silent_port() if peer == "silent" else _plain_port() as port:
        result = _scan(f"https://127.0.0.1:{port}/", "--probe", "tls", "--timeout", "1", "--no-store",
                       "--format", "json", "--lang", "id")
    assert result.exit_code == 3, result.output
    data = json.loads(result.stdout)
    (facts,) = data["facts"]
    assert facts["status"] == "inconclusive" and reason in facts["reason"] and facts["data"] == {}
    assert data["summary"]["risk_posture"] == "not_assessed"
    assert [r for rows in data["compliance"].values() for r in rows if r["tested"]] == []
    if peer == "plain-http":
        (row,) = data["summary"]["inconclusive"]
        assert row["reason"].startswith("bukan TLS: port itu menjawab HTTP biasa")


def _tree(root: Path, name: str, files: dict[str, str]) -> Path:
    folder = root / name
    folder.mkdir()
    for file, content in files.items():
        (folder / file).write_text(content, encoding="utf-8")
    return folder


UNSAFE_YAML = "import yaml\n\ndef load(t):\n    return yaml.load(t)\n"
SHELL = "import subprocess\n\ndef run(c):\n    subprocess.call(c, shell=True)\n"


def test_trend_compares_each_target_with_its_own_previous_observation(tmp_path: Path, monkeypatch) -> None:
    """Two stored scans with different target sets: targets not scanned again are never "resolved"."""
    monkeypatch.setenv("PINDAI_STORE", f"sqlite:///{tmp_path / 'h.db'}")
    portal = _tree(tmp_path, "portal", {"a.py": UNSAFE_YAML, "b.py": SHELL})
    others = [_tree(tmp_path, f"app{i}", {"a.py": UNSAFE_YAML, "b.py": SHELL}) for i in range(3)]
    first = tmp_path / "first.json"
    assert _scan("--probe", "code", str(portal), *map(str, others), "--json", str(first)).exit_code in (0, 1)
    first_id = json.loads(first.read_text())["scan_id"]
    (portal / "b.py").write_text("print('fixed')\n", encoding="utf-8")
    html = tmp_path / "r2.html"
    assert _scan("--probe", "code", str(portal), "--html", str(html), "--lang", "en").exit_code in (0, 1)
    page = html.read_text(encoding="utf-8")
    trend = page[page.index('id="trend"'):page.index('id="findings"')]
    resolved = trend[trend.index("<h3>Resolved</h3>"):]
    assert resolved.count("<li>") == 1 and str(portal) in resolved and "app0" not in trend
    assert first_id in trend
    # a later scan of a different target set: each target is compared with its own last observation
    only_app = tmp_path / "only_app.json"
    assert _scan("--probe", "code", str(others[0]), "--json", str(only_app)).exit_code in (0, 1)
    both = tmp_path / "both.html"
    assert _scan("--probe", "code", str(portal), str(others[0]), "--html", str(both), "--lang", "en").exit_code in (
        0, 1)
    trend = both.read_text(encoding="utf-8")
    trend = trend[trend.index('id="trend"'):trend.index('id="findings"')]
    second_id = json.loads(only_app.read_text())["scan_id"]
    assert second_id in trend and "<h3>Resolved</h3>" not in trend and "<h3>New</h3>" not in trend


def test_report_against_an_explicit_scan_lists_other_targets_as_not_rescanned(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PINDAI_STORE", f"sqlite:///{tmp_path / 'h.db'}")
    portal = _tree(tmp_path, "portal", {"a.py": UNSAFE_YAML})
    other = _tree(tmp_path, "other", {"a.py": UNSAFE_YAML})
    first, second = tmp_path / "1.json", tmp_path / "2.json"
    _scan("--probe", "code", str(portal), str(other), "--json", str(first))
    _scan("--probe", "code", str(portal), "--json", str(second))
    html = tmp_path / "r.html"
    out = CliRunner().invoke(main, ["report", str(second), "--previous", str(first), "--html", str(html),
                                    "--lang", "id"])
    assert out.exit_code == 0, out.output
    page = html.read_text(encoding="utf-8")
    trend = page[page.index('id="trend"'):page.index('id="findings"')]
    assert "Tidak diperiksa ulang" in trend and "<h3>Selesai</h3>" not in trend
    diff = CliRunner().invoke(main, ["diff", str(first), str(second)])
    assert "tidak diperiksa ulang: 1" in diff.stdout and "diperbaiki: 0" in diff.stdout


def test_missing_mysql_driver_is_a_usage_error_with_a_pipx_hint(monkeypatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "pymysql", None)  # as if the extra were not installed
    result = CliRunner().invoke(main, ["scan", "mysql://root@127.0.0.1:1/simpeg", "--no-store"])
    assert result.exit_code == 2, result.output
    assert "pipx inject pindai pymysql" in result.output and "pindai[mysql]" in result.output


def _profile(tmp_path: Path, body: str) -> Path:
    profile = tmp_path / "pemkab.toml"
    profile.write_text('[scope]\nallow = ["127.0.0.1"]\n' + body, encoding="utf-8")
    return profile


def test_probe_on_a_mixed_profile_skips_targets_it_does_not_apply_to(tmp_path: Path) -> None:
    import sqlite3

    db = tmp_path / "warga.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE t (id INTEGER)")
    profile = _profile(tmp_path, f'[[targets]]\ntarget = "http://127.0.0.1:1/"\n'
                                 f'[[targets]]\ntarget = "sqlite:///{db}"\n')
    result = _scan("--profile", str(profile), "--probe", "database", "--fail-on", "none", "--no-store",
                   "--format", "json")
    assert result.exit_code == 0, result.output
    assert [t["kind"] for t in json.loads(result.stdout)["targets"]] == ["database"]
    assert "skipped 1 target" in result.stderr


def test_unset_password_variable_stops_before_the_scan(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("PINDAI_TEST_NO_SUCH_PASSWORD", raising=False)
    with silent_port() as port:
        profile = _profile(tmp_path, f'[[targets]]\ntarget = "postgresql://pindai@127.0.0.1:{port}/simpeg"\n'
                                     'password_env = "PINDAI_TEST_NO_SUCH_PASSWORD"\n')
        result = _scan("--profile", str(profile), "--no-store")
    assert result.exit_code == 2, result.output
    assert "PINDAI_TEST_NO_SUCH_PASSWORD is not set" in result.stderr and "pemkab.toml" in result.stderr


def test_indonesian_output_says_what_happened_in_indonesian() -> None:
    """The requests SSLError of a plain-HTTP port behind https:// becomes a sentence with the next step."""
    with _plain_port() as port:
        shown = _scan(f"https://127.0.0.1:{port}/", "--probe", "http", "--no-store", "--timeout", "2")
    assert shown.exit_code == 3, shown.output
    assert "bukan TLS: port itu menjawab HTTP biasa; pindai dengan http://" in shown.stdout
    assert f"127.0.0.1:{port}" in shown.stdout
    assert "SSLError" not in shown.stdout and "HTTPSConnectionPool" not in shown.stdout
    assert "Traceback" not in shown.output and "_ssl.c" not in shown.stdout


def test_indonesian_table_has_indonesian_severities(tmp_path: Path) -> None:
    (tmp_path / "settings.py").write_text('import yaml\n\ndef load(t):\n    return yaml.load(t)\n', encoding="utf-8")
    shown = _scan("--probe", "code", str(tmp_path), "--no-store", "--lang", "id")
    assert "kritis: " in shown.stdout and "tinggi: " in shown.stdout and "critical:" not in shown.stdout


NOSEC_TREE = {
    "settings.py": 'PASSWORD = "rahasia-sekali-123"  # nosec B105\n',
    "run.py": "import subprocess\n\n\ndef run(c):\n    subprocess.call(c, shell=True)  # nosec\n",
}


def test_inline_nosec_is_counted_and_listed_as_suppressed(tmp_path: Path) -> None:
    tree = _tree(tmp_path, "app", NOSEC_TREE)
    result = _scan("--probe", "code", str(tree), "--no-store", "--format", "json", "--fail-on", "low")
    data = json.loads(result.stdout)
    inline = [f for f in data["findings"] if (f["suppression"] or {}).get("inline")]
    assert {f["suppression"]["source"] for f in inline} >= {"settings.py:1", "run.py:5"}
    assert all(f["status"] == "suppressed" and "no reason/owner/expiry" in f["suppression"]["reason"] for f in inline)
    assert data["summary"]["suppressed_findings"] >= 2
    profile = tmp_path / "p.toml"
    profile.write_text(f'ignore_inline_suppressions = true\n[[targets]]\ntarget = "{tree}"\n', encoding="utf-8")
    ignored = json.loads(_scan("--profile", str(profile), "--probe", "code", "--no-store", "--format", "json").stdout)
    shown = [f for f in ignored["findings"] if (f["suppression"] or {}).get("inline")]
    assert shown and all(f["status"] == "open" for f in shown)


def test_suppression_of_a_rule_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    tree = _tree(tmp_path, "app", {"a.py": UNSAFE_YAML})
    entries = tmp_path / "accepted.yaml"
    entries.write_text("- rule: PND-CODE-006\n  reason: dibaca dari berkas internal\n  owner: tim\n"
                       "  expires: 2030-12-31\n"
                       "- rule: PND-HTTP-999\n  reason: tidak ada\n  owner: tim\n  expires: 2030-12-31\n",
                       encoding="utf-8")
    result = _scan("--probe", "code", str(tree), "--no-store", "--suppressions", str(entries))
    assert result.exit_code == 2
    assert f"{entries}:5: rule 'PND-HTTP-999' does not exist" in result.stderr


def test_suppressions_that_matched_nothing_are_listed_as_stale(tmp_path: Path) -> None:
    tree = _tree(tmp_path, "app", {"a.py": UNSAFE_YAML})
    entries = tmp_path / "accepted.yaml"
    entries.write_text("- fingerprint: " + "ab" * 16 + "\n  reason: dulu ada\n  owner: tim\n  expires: 2030-12-31\n",
                       encoding="utf-8")
    html = tmp_path / "r.html"
    result = _scan("--probe", "code", str(tree), "--no-store", "--suppressions", str(entries), "--format", "json",
                   "--html", str(html))
    (stale,) = json.loads(result.stdout)["summary"]["stale_suppressions"]
    assert stale["source"] == f"{entries}:1" and f"{entries}:1: suppression" in result.stderr
    assert "matched no finding" in html.read_text(encoding="utf-8") or "tidak cocok" in html.read_text(encoding="utf-8")


def test_piped_table_honours_columns(tmp_path: Path) -> None:
    tree = _tree(tmp_path, "app", {"a.py": UNSAFE_YAML, "b.py": SHELL})
    wide = CliRunner().invoke(main, ["scan", "--probe", "code", str(tree), "--no-store"])
    narrow = CliRunner(env={"COLUMNS": "80"}).invoke(main, ["scan", "--probe", "code", str(tree), "--no-store"])
    assert max(map(len, wide.stdout.splitlines())) > 80
    assert max(map(len, narrow.stdout.splitlines())) <= 80
