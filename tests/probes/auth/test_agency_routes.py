"""An agency's own routes, written only in a rule pack given with --rules, are tried by the auth
probe's black-box mode before the shipped list (issue 29); a broken or hostile route is refused by
`pindai rules validate` with file, line and field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from fixtures.portal import start_portal
from scanner.cli import main
from scanner.model import Target, TargetKind
from scanner.probes.auth.probe import AuthProbe
from scanner.running.runner import observe
from tests.support import assert_pack_refused

from .conftest import context

AGENCY_PATH = "/simpeg/api/sesi-tamu"
PACK = f"""\
pack: kab-simpeg
probe: auth
checks:
  - id: kab-simpeg
    framework: simpeg
    paths: ["{AGENCY_PATH}", "/simpeg/api/pegawai"]
"""


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    path = tmp_path / "kab-simpeg.yaml"
    path.write_text(PACK)
    return path


def test_a_pack_route_finds_the_token_endpoint_only_the_agency_knows(pack: Path) -> None:
    base, stop = start_portal(hidden_token=True, token_path=AGENCY_PATH)
    try:
        plain = observe(AuthProbe(), Target(TargetKind.URL, base), context())
        result = CliRunner().invoke(main, ["scan", base, "--rules", str(pack), "--probe", "auth", "--no-store",
                                           "--format", "json"])
    finally:
        stop()
    assert plain.data["discovery"]["routes"]["found"] == []  # not in the shipped list
    assert result.exit_code in (0, 1), result.output
    scan = json.loads(result.stdout)
    (facts,) = [f["data"] for f in scan["facts"] if f["probe"] == "auth"]
    routes = facts["discovery"]["routes"]
    assert routes["agency"] == 1
    assert [(f["path"], f["id"], f["framework"]) for f in routes["found"]] == [(AGENCY_PATH, "kab-simpeg", "simpeg")]
    token_rules = {f["rule_id"] for f in scan["findings"] if f["item_key"] == f"response:GET {AGENCY_PATH}"}
    assert token_rules == {"PND-AUTH-006", "PND-AUTH-007", "PND-AUTH-009"}


@pytest.mark.parametrize(("old", "new", "field", "message"), [
    (f'"{AGENCY_PATH}"', '"//evil.example/token"', "checks[0].paths", "a path starts with one '/'"),
    (f'"{AGENCY_PATH}"', '"/simpeg/api/sesi?nip=1"', "checks[0].paths", "no '..' segment, scheme, query"),
    ("framework: simpeg", "framework: simpeg\n    method: POST", "checks[0].method", "Extra inputs are not permitted"),
    ("framework: simpeg", "framework: simpeg\n    requires: /lain", "checks[0].requires",
     "'/lain' is not one of this check's paths"),
])
def test_a_hostile_or_broken_route_is_refused_with_file_and_line(tmp_path: Path, old: str, new: str, field: str,
                                                                 message: str) -> None:
    assert_pack_refused(tmp_path / "kab-simpeg.yaml", PACK.replace(old, new), 4, "kab-simpeg", field, message)


def test_the_shipped_route_list_uses_the_pack_format(tmp_path: Path) -> None:
    """`rules validate` accepts a pack of routes only (no rules) for the auth probe."""
    path = tmp_path / "kab-simpeg.yaml"
    path.write_text(PACK)
    result = CliRunner().invoke(main, ["rules", "validate", str(path)])
    assert result.exit_code == 0, result.output
