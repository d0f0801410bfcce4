"""The command line: exit codes, rule commands and re-judging stored facts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner.cli import main
from scanner.model import Exposure, Facts, ScanResult, Target, TargetKind
from tests.support import RULE as SHARED_RULE

RULE = SHARED_RULE.replace("test-law:1", "uu-pdp-2022:35")  # a reference the shipped catalogues resolve


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    path = tmp_path / "pack.yaml"
    path.write_text("pack: test\nrules:\n" + "".join("  " + line + "\n" for line in RULE.splitlines()).replace(
        "  id: PND", "- id: PND", 1))
    return path


def _stored(tmp_path: Path, protocols: list[dict], inconclusive: bool = False) -> Path:
    target = Target(TargetKind.URL, "https://127.0.0.1:8443/", agency="Diskominfo", exposure=Exposure.INTERNET)
    facts = [Facts("tls", target.id, {"protocols": protocols})]
    if inconclusive:
        facts.append(Facts("http", target.id, status="inconclusive", reason="connection refused"))
    result = ScanResult("abc", "t0", "t1", "0.1.0", "old", [target], facts)
    path = tmp_path / "result.json"
    path.write_text(json.dumps(result.to_dict()))
    return path


def _run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


WEAK = [{"name": "SSLv3", "accepted": True}]
STRONG = [{"name": "TLSv1.3", "accepted": True}]


@pytest.mark.parametrize("protocols,fail_on,inconclusive,code", [
    (WEAK, "high", False, 1),
    (WEAK, "critical", False, 0),
    (WEAK, "none", False, 0),
    (STRONG, "low", False, 0),
    (STRONG, "low", True, 3),
    (WEAK, "medium", True, 1),
])
def test_exit_codes(tmp_path, pack, protocols, fail_on, inconclusive, code):
    stored = _stored(tmp_path, protocols, inconclusive)
    result = _run("rejudge", str(stored), "--rules", str(pack), "--no-default-rules", "--fail-on", fail_on,
                  "--format", "json")
    assert result.exit_code == code, result.output
    data = json.loads(result.stdout)
    assert len(data["findings"]) == (1 if protocols is WEAK else 0)


def test_rejudge_writes_json_that_report_can_read(tmp_path, pack):
    stored = _stored(tmp_path, WEAK)
    out = tmp_path / "out" / "rejudged.json"
    # only the test pack: shipped rules could not be evaluated on these minimal facts (a partial result, exit 3)
    assert _run("rejudge", str(stored), "--rules", str(pack), "--no-default-rules", "--json", str(out),
                "--lang", "en").exit_code == 0
    rejudged = json.loads(out.read_text())
    assert rejudged["findings"][0]["message"]["en"] == "Protocol SSLv3 is accepted"
    assert rejudged["rulepack_version"] != "old"
    shown = _run("report", str(out), "--rules", str(pack), "--lang", "en")
    assert shown.exit_code == 0 and "PND-TEST-001" in shown.stdout and "Protocol SSLv3 is accepted" in shown.stdout


def test_bad_rule_pack_exits_2_naming_file_rule_and_field(tmp_path, pack):
    pack.write_text(pack.read_text().replace("uu-pdp-2022:35", "uu-pdp-2022:999"))
    result = _run("rules", "validate", str(pack))
    assert result.exit_code == 2
    assert f"{pack}: PND-TEST-001: references: unknown regulation reference 'uu-pdp-2022:999'" in result.stderr


def test_rules_list_show_validate(pack):
    assert "PND-TEST-001   high     tls" in _run("rules", "list", "--rules", str(pack)).stdout
    shown = _run("rules", "show", "pnd-test-001", "--rules", str(pack), "--lang", "en")
    assert "Disable the old protocol." in shown.stdout and "uu-pdp-2022:35:" in shown.stdout
    assert _run("rules", "show", "PND-NOPE-001", "--rules", str(pack)).exit_code == 2
    assert "1 rule OK" in _run("rules", "validate", str(pack)).stdout


def test_scan_usage_errors(tmp_path, pack):
    assert _run("scan", "--rules", str(pack)).exit_code == 2
    bad = _run("scan", "gopher://x", "--rules", str(pack))
    assert bad.exit_code == 2 and "not a supported scheme" in bad.stderr
    profile = tmp_path / "p.toml"
    profile.write_text("[[targets]]\ntarget = 'https://evil.example/'\n[scope]\nallow = ['127.0.0.1']\n")
    refused = _run("scan", "--profile", str(profile), "--rules", str(pack))
    assert refused.exit_code == 2 and "outside the scope allowlist" in refused.stderr


def test_garbage_result_file(tmp_path, pack):
    junk = tmp_path / "junk.json"
    junk.write_text("{not json")
    result = _run("report", str(junk), "--rules", str(pack))
    assert result.exit_code == 2 and "not a Pindai JSON result" in result.stderr


def test_history_on_an_empty_store_says_so(tmp_path):
    runner = CliRunner()
    done = runner.invoke(main, ["history", "--store", f"sqlite:///{tmp_path / 'kosong.db'}"])
    assert done.exit_code == 0
    assert "no scans in the history store yet" in done.output and "belum ada pemindaian" in done.output


def test_history_lists_targets_and_profile_names(tmp_path):
    store = f"sqlite:///{tmp_path / 'h.db'}"
    tree = tmp_path / "kode"
    tree.mkdir()
    (tree / "app.py").write_text("x = 1\n")
    profile = tmp_path / "p.toml"
    profile.write_text(f'name = "Pemkab Contoh mingguan"\n[[targets]]\ntarget = "{tree}"\n')
    runner = CliRunner()
    assert runner.invoke(main, ["scan", "--profile", str(profile), "--store", store]).exit_code == 0
    done = runner.invoke(main, ["history", "--store", store])
    assert "profile='Pemkab Contoh mingguan'" in done.output and str(tree) in done.output


def test_report_of_a_missing_file_says_the_file_is_missing(tmp_path):
    done = CliRunner().invoke(main, ["report", str(tmp_path / "hilang.json"), "--html", str(tmp_path / "x.html")])
    assert done.exit_code == 2
    assert "result file not found" in done.output and "no scan" not in done.output


def test_agency_rule_prefix_is_accepted(write_pack, tmp_path):
    pack = write_pack("""\
id: KAB-HTTP-001
probe: http
severity: low
title: {id: Uji, en: Test}
description: {id: Uji, en: Test}
when: "false"
message: {id: Uji, en: Test}
remediation: {id: [Uji], en: [Test]}
references: [uu-pdp-2022:35]
""")
    done = CliRunner().invoke(main, ["rules", "validate", str(pack)])
    assert done.exit_code == 0, done.output


def test_rules_add_to_the_shipped_packs_unless_replaced(pack):
    added = _run("rules", "list", "--rules", str(pack)).stdout
    assert "PND-TEST-001" in added and "PND-TLS-001" in added
    alone = _run("rules", "list", "--rules", str(pack), "--no-default-rules").stdout
    assert "PND-TEST-001" in alone and "PND-TLS-001" not in alone
    assert _run("rules", "list", "--no-default-rules").exit_code == 2


def test_rule_ids_clashing_with_the_shipped_packs_are_named(tmp_path):
    from scanner.resources import rules_dir

    copy = tmp_path / "copy.yaml"
    copy.write_text((rules_dir() / "tls.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    clash = _run("rules", "list", "--rules", str(copy))
    assert clash.exit_code == 2 and "duplicate rule id" in clash.output


def test_report_of_a_json_file_that_is_not_a_result_says_what_it_expected(tmp_path):
    other = tmp_path / "package.json"
    other.write_text('{"name": "portal", "version": "1.0.0"}')
    done = CliRunner().invoke(main, ["report", str(other)])
    assert done.exit_code == 2
    assert "no scan_id, findings" in done.output and "pindai scan --json" in done.output
    assert "KeyError" not in done.output and "'scan_id'" not in done.output


def _two_profile_scans(tmp_path):
    store = f"sqlite:///{tmp_path / 'h.db'}"
    runner = CliRunner()
    for name in ("Dinkes", "Disdukcapil"):
        tree = tmp_path / f"kode-{name.lower()}"
        tree.mkdir()
        (tree / "app.py").write_text("x = 1\n")
        profile = tmp_path / f"{name}.toml"
        profile.write_text(f'name = "Pemkab {name}"\n[[targets]]\ntarget = "{tree}"\n')
        assert runner.invoke(main, ["scan", "--profile", str(profile), "--store", store]).exit_code == 0
    return store


def test_history_filters_by_profile_target_and_date(tmp_path):
    store = _two_profile_scans(tmp_path)
    runner = CliRunner()
    by_profile = runner.invoke(main, ["history", "--store", store, "--profile", "dinkes"]).output.splitlines()
    assert len(by_profile) == 1 and "Pemkab Dinkes" in by_profile[0]
    by_target = runner.invoke(main, ["history", "--store", store, "--target", "kode-disdukcapil"]).output.splitlines()
    assert len(by_target) == 1 and "Pemkab Disdukcapil" in by_target[0]
    assert len(runner.invoke(main, ["history", "--store", store, "--since", "2000-01-01"]).output.splitlines()) == 2
    later = runner.invoke(main, ["history", "--store", store, "--since", "2999-01-01"])
    assert later.exit_code == 0 and "no scan matches" in later.output
    assert runner.invoke(main, ["history", "--store", store, "--since", "kemarin"]).exit_code == 2


def test_diff_new_only(tmp_path):
    tree = tmp_path / "app"
    tree.mkdir()
    (tree / "config.py").write_text("DEBUG = True\n")
    first, second = tmp_path / "1.json", tmp_path / "2.json"
    runner = CliRunner()
    runner.invoke(main, ["scan", str(tree), "--no-store", "--json", str(first)])
    (tree / "loader.py").write_text("import yaml\n\ndef load(t):\n    return yaml.load(t)\n")
    runner.invoke(main, ["scan", str(tree), "--no-store", "--json", str(second)])
    full = runner.invoke(main, ["diff", str(first), str(second), "--lang", "en"]).output
    assert "persisting: 1" in full and "PND-CODE-017" in full
    new = runner.invoke(main, ["diff", str(first), str(second), "--lang", "en", "--new-only"]).output
    assert new.startswith("new: 1") and "PND-CODE-006" in new and "PND-CODE-017" not in new
    as_json = json.loads(runner.invoke(main, ["diff", str(first), str(second), "--new-only",
                                              "--format", "json"]).output)
    assert list(as_json) == ["new"]


def test_every_user_error_maps_to_its_exit_code_in_the_command_group() -> None:
    """One error root (scanner.errors.PindaiError) mapped once: a command need not catch it."""
    from scanner.cli import _PindaiGroup
    from scanner.errors import PindaiError
    from scanner.history.store import StoreError
    from scanner.judging.regulations import CatalogueError
    from scanner.judging.rules import RuleValidationError
    from scanner.judging.suppressions import SuppressionError
    from scanner.profile import ProfileError
    from scanner.targets import TargetError

    for error in (ProfileError, CatalogueError, StoreError, SuppressionError, TargetError):
        assert issubclass(error, PindaiError)
    assert issubclass(RuleValidationError, PindaiError)
    group = _PindaiGroup()

    @group.command()
    def broken() -> None:
        raise ProfileError("pemkab.toml: targets[0].target: missing")

    result = CliRunner().invoke(group, ["broken"])
    assert result.exit_code == 2
    assert "pindai: pemkab.toml: targets[0].target: missing" in result.output


@pytest.mark.parametrize("args,code,expected", [
    (["scan", "--severity", "bogus", "x"], 2, "pindai: Invalid value for '--severity'"),  # click's usage error
    (["nosuch"], 2, "pindai: No such command 'nosuch'"),
    (["report", "missing-result.json"], 2, "pindai: result file not found: missing-result.json"),  # Pindai's own
    (["rules", "show", "PND-NOPE-999"], 2, "pindai: "),
])
def test_every_error_line_has_the_one_prefix(args: list[str], code: int, expected: str) -> None:
    """Click's usage errors and Pindai's own errors both say ``pindai:`` (never ``Error:``); exit codes stay."""
    run = CliRunner().invoke(main, args)
    assert run.exit_code == code
    assert expected in run.stderr
    assert not any(line.startswith("Error") for line in run.stderr.splitlines())
    if "No such command" in expected:
        assert run.stderr.startswith("Usage: ") and "--help' for help." in run.stderr  # click's usage stays
