"""`pindai scan` end to end on bundled source trees: exit codes, baseline, history, diff, trend."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner.cli import main

FIXTURES = Path(__file__).parent.parent / "fixtures" / "source"


def _scan(*args: str):
    return CliRunner().invoke(main, ["scan", "--probe", "code", *args], catch_exceptions=False)


@pytest.mark.parametrize("tree,fail_on,code", [
    ("vulnerable", "high", 1),
    ("vulnerable", "critical", 0),
    ("vulnerable", "none", 0),
    ("clean", "low", 0),
])
def test_fail_on_exit_codes(tree, fail_on, code):
    result = _scan(str(FIXTURES / tree), "--fail-on", fail_on, "--no-store", "--format", "json")
    assert result.exit_code == code, result.stderr
    findings = json.loads(result.stdout)["findings"]
    assert bool(findings) == (tree == "vulnerable")


def test_unreachable_target_exits_3_and_keeps_other_results(tmp_path):
    result = CliRunner().invoke(main, ["scan", str(FIXTURES / "vulnerable"), "https://127.0.0.1:1/",
                                       "--probe", "code", "--probe", "http", "--no-store", "--format", "json"])
    assert result.exit_code == 3, result.stderr
    data = json.loads(result.stdout)
    inconclusive = [f for f in data["facts"] if f["status"] != "ok"]
    assert [f["target_id"] for f in inconclusive] == ["https://127.0.0.1:1/"]
    assert "refused" in inconclusive[0]["reason"].lower()
    assert any(f["probe"] == "code" for f in data["findings"])


def test_baseline_only_new_findings_fail(tmp_path):
    tree = tmp_path / "app"
    shutil.copytree(FIXTURES / "clean", tree)
    baseline = tmp_path / "baseline.json"
    assert _scan(str(tree), "--no-store", "--json", str(baseline)).exit_code == 0
    (tree / "settings.py").write_text('import yaml\n\ndef load(t):\n    return yaml.load(t)\n')
    without = _scan(str(tree), "--no-store", "--fail-on", "medium")
    assert without.exit_code == 1
    accepted = tmp_path / "accepted.json"
    _scan(str(tree), "--no-store", "--json", str(accepted))
    assert _scan(str(tree), "--no-store", "--fail-on", "medium", "--baseline", str(accepted)).exit_code == 0
    assert _scan(str(tree), "--no-store", "--fail-on", "medium", "--baseline", str(baseline)).exit_code == 1


def test_history_diff_and_html_trend(tmp_path, monkeypatch):
    monkeypatch.setenv("PINDAI_STORE", f"sqlite:///{tmp_path / 'h.db'}")
    tree = tmp_path / "app"
    shutil.copytree(FIXTURES / "clean", tree)
    first = tmp_path / "first.json"
    assert _scan(str(tree), "--json", str(first)).exit_code == 0
    (tree / "settings.py").write_text('import yaml\n\ndef load(t):\n    return yaml.load(t)\n')
    html = tmp_path / "r.html"
    second = tmp_path / "second.json"
    assert _scan(str(tree), "--json", str(second), "--html", str(html), "--lang", "en").exit_code == 0
    assert 'id="trend"' in html.read_text() and json.loads(first.read_text())["scan_id"] in html.read_text()
    listed = CliRunner().invoke(main, ["history"]).stdout.splitlines()
    assert len(listed) == 2 and all(" complete " in line for line in listed)
    ids = [json.loads(p.read_text())["scan_id"] for p in (first, second)]
    diff = CliRunner().invoke(main, ["diff", ids[0], ids[1], "--format", "json"])
    assert diff.exit_code == 0, diff.output
    changes = json.loads(diff.stdout)
    assert [f["rule_id"] for f in changes["new"]] == ["PND-CODE-006"] and changes["fixed"] == []
    rerendered = tmp_path / "again.html"
    report = CliRunner().invoke(main, ["report", ids[1], "--previous", ids[0], "--html", str(rerendered)])
    assert report.exit_code == 0 and 'id="trend"' in rerendered.read_text()


def test_profile_suppressions_apply(tmp_path):
    (tmp_path / "accepted.yaml").write_text(
        "- rule: PND-CODE-006\n  reason: Parser hanya membaca berkas internal\n  owner: tim-aplikasi\n"
        "  expires: 2030-12-31\n")
    profile = tmp_path / "p.toml"
    profile.write_text(f'suppressions = "accepted.yaml"\n[[targets]]\ntarget = "{FIXTURES / "vulnerable"}"\n')
    result = _scan("--profile", str(profile), "--no-store", "--format", "json", "--fail-on", "high")
    findings = json.loads(result.stdout)["findings"]
    suppressed = [f for f in findings if f["status"] == "suppressed"]
    assert suppressed and {f["rule_id"] for f in suppressed} == {"PND-CODE-006"}
    assert suppressed[0]["suppression"]["owner"] == "tim-aplikasi"
    assert result.exit_code == 1  # other high findings remain open


def test_targets_file_with_comments(tmp_path):
    listing = tmp_path / "targets.txt"
    listing.write_text(f"# aset Diskominfo\n{FIXTURES / 'vulnerable'}   # kode lama\n\n{FIXTURES / 'clean'}\n")
    result = _scan("-l", str(listing), "--no-store", "--format", "json")
    ids = {t["id"] for t in json.loads(result.stdout)["targets"]}
    assert ids == {str(FIXTURES / "vulnerable"), str(FIXTURES / "clean")}
    empty = tmp_path / "kosong.txt"
    empty.write_text("# nothing\n")
    result = CliRunner().invoke(main, ["scan", "--targets-file", str(empty), "--no-store"])
    assert result.exit_code == 2 and "no targets" in result.output


def test_severity_filters_output_but_the_store_keeps_everything(tmp_path):
    store = f"sqlite:///{tmp_path / 'h.db'}"
    full = json.loads(_scan(str(FIXTURES / "vulnerable"), "--no-store", "--format", "json").stdout)["findings"]
    assert {f["severity"] for f in full} - {"critical", "high"}, "fixture needs lower severities too"
    shown = _scan(str(FIXTURES / "vulnerable"), "--store", store, "--format", "json", "--severity", "critical,HIGH",
                  "--json", str(tmp_path / "r.json"))
    kept = json.loads(shown.stdout)["findings"]
    assert kept and {f["severity"] for f in kept} <= {"critical", "high"}
    written = json.loads((tmp_path / "r.json").read_text())["findings"]
    assert len(written) == len(kept)
    from scanner.history.store import Store

    (summary,) = Store(store).history(1)
    assert len(Store(store).load(summary.scan_id).findings) == len(full)
    bad = CliRunner().invoke(main, ["scan", str(FIXTURES / "clean"), "--severity", "urgent"])
    assert bad.exit_code == 2


def test_severities_in_bahasa_indonesia_as_the_reports_print_them():
    english = json.loads(_scan(str(FIXTURES / "vulnerable"), "--no-store", "--format", "json",
                               "--severity", "critical,high").stdout)["findings"]
    indonesian = _scan(str(FIXTURES / "vulnerable"), "--no-store", "--format", "json", "--severity", "kritis,Tinggi",
                       "--fail-on", "tinggi")
    assert indonesian.exit_code == 1, indonesian.output
    assert json.loads(indonesian.stdout)["findings"] == english and english
    assert _scan(str(FIXTURES / "vulnerable"), "--no-store", "--fail-on", "kritis").exit_code == 0
    bad = CliRunner().invoke(main, ["scan", str(FIXTURES / "clean"), "--fail-on", "gawat"])
    assert bad.exit_code == 2 and "kritis" in bad.output


def test_exclude_rule(tmp_path):
    full = json.loads(_scan(str(FIXTURES / "vulnerable"), "--no-store", "--format", "json").stdout)["findings"]
    rule = full[0]["rule_id"]
    rest = json.loads(_scan(str(FIXTURES / "vulnerable"), "--no-store", "--format", "json",
                            "--exclude-rule", rule.lower()).stdout)["findings"]
    assert rule not in {f["rule_id"] for f in rest} and len(rest) < len(full)
    unknown = CliRunner().invoke(main, ["scan", str(FIXTURES / "clean"), "--exclude-rule", "PND-XXX-999"])
    assert unknown.exit_code == 2 and "PND-XXX-999" in unknown.output


@pytest.mark.parametrize("args,level", [
    (["scan"], "WARNING"), (["-v", "scan"], "INFO"), (["scan", "-v"], "INFO"), (["-v", "scan", "-v"], "DEBUG"),
    (["scan", "-vv"], "DEBUG"),
])
def test_verbose_before_or_after_the_subcommand(args, level, monkeypatch):
    import logging

    root = logging.getLogger()
    monkeypatch.setattr(root, "level", root.level)  # restored after the test
    result = CliRunner().invoke(main, [*args, "--probe", "code", str(FIXTURES / "clean"), "--no-store"])
    assert result.exit_code == 0, result.output
    assert logging.getLevelName(root.level) == level


def test_explicit_proxy_header_and_user_agent():
    """`--proxy` is the only way requests go through a proxy; `--header`/`--user-agent` reach every request."""
    from fixtures.hostile.recording import RecordingSite
    from scanner.probes.http.fetch import BROWSER_UA, GOOGLEBOT_UA

    page = b"<html><head><title>Portal</title></head><body>Halo</body></html>"
    with RecordingSite("127.0.0.1", {"/": (200, {}, page)}) as site, RecordingSite("127.0.0.2") as proxy:
        result = CliRunner().invoke(main, [
            "scan", site.url, "--probe", "http", "--no-store", "--format", "json", "--proxy", proxy.url,
            "--header", "X-Pindai-Audit: tiket-42", "--user-agent", "PindaiAudit/1.0"])
        assert result.exit_code in (0, 1, 3), result.output
        assert site.requests == []  # every request went through the proxy
        assert proxy.requests and all(r.path.startswith(site.url) for r in proxy.requests)
        # the judol cloaking check still compares a browser's view with Googlebot's, by design
        views = {BROWSER_UA, GOOGLEBOT_UA}
        plain = [r for r in proxy.requests if r.headers.get("user-agent") not in views]
        assert len(plain) > len(proxy.requests) / 2
        assert all(r.headers.get("user-agent") == "PindaiAudit/1.0" for r in plain)
        assert all(r.headers.get("x-pindai-audit") == "tiket-42" for r in proxy.requests)


@pytest.mark.parametrize("args", [["--proxy", "socks5://127.0.0.1:1080"], ["--header", "no colon"],
                                  ["--header", "X-Bad: a\r\nInjected: 1"],
                                  ["--header", "X-A: \u2603"], ["--header", "X-A: a\x1bb"], ["--header", "X-A: \x7f"]])
def test_bad_proxy_or_header_is_a_usage_error(args):
    result = CliRunner().invoke(main, ["scan", str(FIXTURES / "clean"), "--no-store", *args])
    assert result.exit_code == 2


def test_baseline_marks_new_and_known_findings(tmp_path):
    tree = tmp_path / "app"
    shutil.copytree(FIXTURES / "vulnerable", tree)
    baseline = tmp_path / "baseline.json"
    _scan(str(tree), "--no-store", "--json", str(baseline))
    (tree / "baru.py").write_text('import yaml\n\ndef load(t):\n    return yaml.load(t)\n')
    result = _scan(str(tree), "--no-store", "--format", "json", "--baseline", str(baseline),
                   "--sarif", str(tmp_path / "r.sarif"))
    findings = json.loads(result.stdout)["findings"]
    marks = {f["baseline"] for f in findings}
    assert marks == {"new", "known"}
    new = [f for f in findings if f["baseline"] == "new"]
    assert new and all("baru.py" in json.dumps(f["evidence"]) or "baru.py" in f["item_key"] for f in new)
    states = {r["baselineState"] for r in json.loads((tmp_path / "r.sarif").read_text())["runs"][0]["results"]}
    assert states == {"new", "unchanged"}
