"""Text a hostile target sends that used to crash or stall a whole scan (issue 24).

A lone UTF-16 surrogate (``"\\ud800"`` in JSON) in a reply, an OpenAPI document or a JWT must not
stop judging: the scan completes with its findings and writes its reports.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from fixtures.hostile.recording import RecordingSite
from scanner.cli import main

HOME = b"<html><body><a href='/api/v1/data.json'>data</a></body></html>"


@pytest.fixture
def surrogate_site() -> Iterator[RecordingSite]:
    routes = {
        "/": (200, {"X-Powered-By": "PHP/5.4.0"}, HOME),
        "/api/v1/data.json": (200, {"Content-Type": "application/json"}, b'[{"nik\\ud800": "\\udfff1"}]'),
        "/openapi.json": (200, {"Content-Type": "application/json"},
                          b'{"openapi": "3.0.\\ud800", "paths": {"/x\\ud800": {"get": {}}}}'),
    }
    with RecordingSite("127.0.0.1", routes) as site:
        yield site


def test_lone_surrogate_from_a_target_does_not_stop_judging(surrogate_site: RecordingSite, tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    store = f"sqlite:///{tmp_path / 'h.db'}"
    result = CliRunner().invoke(main, ["scan", surrogate_site.url, "--store", store, "--lang", "en", "--probe", "http",
                                       "--probe", "auth", "--fail-on", "high", "--json", str(report)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code == 1, result.output
    data = json.loads(report.read_text(encoding="utf-8"))
    assert any(f["rule_id"] == "PND-HTTP-040" for f in data["findings"])  # PHP 5.4 end of life still reported
    history = CliRunner().invoke(main, ["history", "--store", str(store)])
    assert "running" not in history.output


@pytest.mark.parametrize("exp", ["1e400", "NaN", '"\\ud800"', "1" + "0" * 400])
def test_hostile_jwt_time_claims_are_judged_not_an_internal_error(exp: str, tmp_path: Path) -> None:
    header = _b64(b'{"alg":"HS256","typ":"JWT","k\\ud800":1}')
    claims = _b64(f'{{"sub":"1","exp":{exp},"iat":1,"c\\ud800":1}}'.encode())
    token = f"{header}.{claims}.{_b64(b'x' * 32)}"
    routes = {"/": (200, {"Set-Cookie": f"session={token}; Path=/"}, b"<html><body>portal</body></html>")}
    report = tmp_path / "r.json"
    with RecordingSite("127.0.0.1", routes) as site:
        result = CliRunner().invoke(main, ["scan", site.url, "--no-store", "--probe", "auth", "--json", str(report)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    data = json.loads(report.read_text(encoding="utf-8"))
    [auth] = [f for f in data["facts"] if f["probe"] == "auth"]
    assert auth["status"] == "ok", auth["reason"]
    [token_facts] = auth["data"]["tokens"]
    fired = {f["rule_id"] for f in data["findings"]}
    if exp.startswith("1" + "0"):
        assert token_facts["lifetime_s"] == 2**63 - 1 and "PND-AUTH-008" in fired  # a lifetime of ages
    else:
        assert token_facts["unusable_claims"] == ["exp"] and "PND-AUTH-007" in fired  # never expires


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")
