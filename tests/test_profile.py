"""TOML profiles: valid ones resolve targets; malformed ones name file, field and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.model import Exposure, TargetKind
from scanner.profile import ProfileError, load_profile

GOOD = """\
name = "Pemkab Contoh"
lang = "en"

[scope]
allow = ["127.0.0.1", "*.contoh.go.id", "10.20.0.0/16"]

[politeness]
per_host_concurrency = 3
requests_per_second = 5

[thresholds]
fail_on = "high"

[[targets]]
target = "https://portal.contoh.go.id/"
agency = "Diskominfo"
exposure = "internet"

[[targets]]
target = "postgresql://pindai@10.20.1.5:5432/simpeg"
password_env = "PINDAI_SIMPEG_PASSWORD"
agency = "BKPSDM"
exposure = "internal"

[[targets]]
target = "dump.sql"
agency = "Dinkes"
"""


def _write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "dump.sql").write_text("CREATE TABLE t (nik varchar(16));\n")
    path = tmp_path / "profile.toml"
    path.write_text(text)
    return path


def _error(tmp_path: Path, text: str) -> str:
    with pytest.raises(ProfileError) as info:
        load_profile(_write(tmp_path, text))
    return str(info.value)


def test_good_profile(tmp_path):
    path = _write(tmp_path, GOOD)
    profile = load_profile(path)
    web, db, dump = profile.targets
    assert (web.kind, web.agency, web.exposure) == (TargetKind.URL, "Diskominfo", Exposure.INTERNET)
    assert (db.kind, db.password_env, db.exposure) == (TargetKind.DATABASE, "PINDAI_SIMPEG_PASSWORD", Exposure.INTERNAL)
    assert dump.kind is TargetKind.SQLFILE and Path(dump.location) == tmp_path / "dump.sql"
    assert web.declared_at == f"{path}:15" and db.declared_at == f"{path}:20"
    assert profile.politeness.per_host_concurrency == 3
    assert profile.spec.thresholds.fail_on == "high"
    assert profile.scope.allows("10.20.1.5") and not profile.scope.allows("10.21.0.1")


def test_invalid_toml_names_the_line(tmp_path):
    assert "invalid TOML" in _error(tmp_path, 'name = "x\n') and "line 1" in _error(tmp_path, 'name = "x\n')


def test_unknown_and_mistyped_fields(tmp_path):
    text = GOOD.replace('exposure = "internet"', 'exposure = "public"').replace("[politeness]", "[politness]")
    message = _error(tmp_path, text)
    assert "targets[0].exposure: Input should be 'internet', 'internal' or 'unknown'" in message
    assert "politness: Extra inputs are not permitted (did you mean 'politeness'?" in message


def test_unknown_nested_key_gets_a_suggestion_and_a_far_one_none(tmp_path):
    message = _error(tmp_path, GOOD.replace('agency = "Diskominfo"', 'agncy = "Diskominfo"', 1))
    assert "targets[0].agncy: Extra inputs are not permitted (did you mean 'agency'?" in message
    assert "did you mean" not in _error(tmp_path, GOOD + '\nzzzqqq = 1\n')


def test_target_outside_scope_is_refused(tmp_path):
    message = _error(tmp_path, GOOD.replace("https://portal.contoh.go.id/", "https://portal.other.go.id/"))
    assert "targets[0].target: host 'portal.other.go.id' is outside the scope allowlist" in message


def test_unrecognised_target(tmp_path):
    message = _error(tmp_path, GOOD.replace('"dump.sql"', '"ftp://files.contoh.go.id/"'))
    assert "targets[2].target: 'ftp' is not a supported scheme" in message


def test_no_targets_and_bad_env_name(tmp_path):
    assert "targets: Field required" in _error(tmp_path, 'name = "x"\n')
    message = _error(tmp_path, GOOD.replace("PINDAI_SIMPEG_PASSWORD", "secret password"))
    assert "targets[1].password_env: String should match pattern" in message


def test_unreadable_profile(tmp_path):
    with pytest.raises(ProfileError, match="cannot read profile"):
        load_profile(tmp_path / "missing.toml")


def test_profile_suppressions_file(tmp_path):
    (tmp_path / "accepted.yaml").write_text(
        "- rule: PND-HTTP-004\n  reason: Ditangani WAF\n  owner: csirt\n  expires: 2030-01-01\n")
    profile = load_profile(_write(tmp_path, 'suppressions = "accepted.yaml"\n' + GOOD))
    assert profile.suppressions is not None and profile.suppressions.entries[0].rule == "PND-HTTP-004"
    (tmp_path / "accepted.yaml").write_text("- rule: PND-HTTP-004\n  reason: x\n")
    message = _error(tmp_path, 'suppressions = "accepted.yaml"\n' + GOOD)
    assert "profile.toml: suppressions: " in message and "suppressions[0].owner: Field required" in message


def test_target_options_are_validated(tmp_path):
    """A mistyped or out-of-range option names the file and the field (was a traceback, or LIMIT -5)."""
    text = GOOD.replace('exposure = "internet"',
                        'exposure = "internet"\noptions = { tls_timeout = "x", max_pages = 3 }')
    text = text.replace('password_env = "PINDAI_SIMPEG_PASSWORD"',
                        'password_env = "PINDAI_SIMPEG_PASSWORD"\noptions = { sample_rows = -5 }')
    message = _error(tmp_path, text)
    assert f"{tmp_path / 'profile.toml'}: targets[0].options.tls_timeout: Input should be a valid number" in message
    assert "targets[1].options.sample_rows: Input should be greater than or equal to 1" in message


def test_only_written_options_reach_the_target(tmp_path):
    text = GOOD.replace('exposure = "internet"', 'exposure = "internet"\noptions = { max_pages = 3, eigen = "x" }')
    web = load_profile(_write(tmp_path, text)).targets[0]
    assert web.options == {"max_pages": 3, "eigen": "x"}  # no defaults injected; unknown options pass through


def test_cli_exits_2_on_a_bad_option(tmp_path):
    from click.testing import CliRunner

    from scanner.cli import main

    text = GOOD.replace('exposure = "internet"', 'exposure = "internet"\noptions = { tls_timeout = "x" }')
    result = CliRunner().invoke(main, ["scan", "--profile", str(_write(tmp_path, text)), "--no-store"])
    assert result.exit_code == 2
    assert "options.tls_timeout" in result.output and "Traceback" not in result.output


def test_database_scope_options_are_validated(tmp_path):
    text = GOOD.replace('password_env = "PINDAI_SIMPEG_PASSWORD"', 'password_env = "PINDAI_SIMPEG_PASSWORD"\n'
                        'options = { database = { include = ["public\\\\.pegawai", "(unclosed"], read_data = "no" } }')
    message = _error(tmp_path, text)
    assert f"{tmp_path / 'profile.toml'}: targets[1].options.database.include: Value error, '(unclosed' is not a " \
           "valid regular expression" in message
    assert "targets[1].options.database.read_data: Input should be a valid boolean" in message


def test_database_scope_options_reach_the_target(tmp_path):
    text = GOOD.replace('password_env = "PINDAI_SIMPEG_PASSWORD"', 'password_env = "PINDAI_SIMPEG_PASSWORD"\n'
                        'options = { database = { exclude = ["audit\\\\..*"], read_data = false } }')
    target = load_profile(_write(tmp_path, text)).targets[1]
    assert target.options == {"database": {"exclude": ["audit\\..*"], "read_data": False}}


def test_audit_table_reaches_the_result_and_the_report(tmp_path: Path) -> None:
    """[audit] (operator, surat tugas, time zone) and --operator end up in the result and the report."""
    import json
    import socket

    from click.testing import CliRunner

    from scanner.cli import main

    dump = tmp_path / "dump.sql"
    dump.write_text("CREATE TABLE t (id int);\n", encoding="utf-8")
    profile = tmp_path / "p.toml"
    profile.write_text(f'''name = "uji"
[audit]
operator = "Tim A"
authorisation = "ST-1/2026"
timezone = "Asia/Makassar"
[[targets]]
target = "{dump}"
''', encoding="utf-8")
    out = tmp_path / "r.json"
    page = tmp_path / "r.html"
    run = CliRunner().invoke(main, ["scan", "--profile", str(profile), "--no-store", "--json", str(out),
                                    "--html", str(page), "--operator", "Tim B"])
    assert run.exit_code in (0, 1, 3), run.output
    audit = json.loads(out.read_text(encoding="utf-8"))["profile"]["audit"]
    assert audit["operator"] == "Tim B" and audit["authorisation"] == "ST-1/2026"
    assert audit["host"] == socket.gethostname() and audit["timezone"] == "Asia/Makassar"
    assert "sqlfile" in audit["method"]["probes"]
    html = page.read_text(encoding="utf-8")
    assert "WITA" in html and "ST-1/2026" in html


def test_unknown_time_zone_is_a_profile_error(tmp_path: Path) -> None:
    profile = tmp_path / "p.toml"
    profile.write_text('[audit]\ntimezone = "Mars/Olympus"\n[[targets]]\ntarget = "https://a.example/"\n',
                       encoding="utf-8")
    with pytest.raises(ProfileError, match="unknown time zone"):
        load_profile(profile)


def test_a_bad_auth_option_is_a_usage_error_naming_file_and_field(tmp_path):
    """Was exit 3 ("scan partial") from the probe at run time; now the auth probe's options model
    checks `[targets.options.auth]` when the profile is read, like every other probe's options."""
    from click.testing import CliRunner

    from scanner.cli import main

    text = GOOD.replace('exposure = "internet"', 'exposure = "internet"\n\n[targets.options.auth]\n'
                        'bearer_env = "TOKEN"\nlogin_rate_limit_attempts = 99\nendpointz = []')
    message = _error(tmp_path, text)
    assert "targets[0].options.auth.login_rate_limit_attempts: Input should be less than or equal to 20" in message
    assert "targets[0].options.auth.endpointz: Extra inputs are not permitted" in message
    result = CliRunner().invoke(main, ["scan", "--profile", str(tmp_path / "profile.toml"), "--no-store"])
    assert result.exit_code == 2, result.output
    assert "profile.toml: targets[0].options.auth.endpointz" in result.output
