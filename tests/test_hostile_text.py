"""Text a hostile target sends that used to crash or stall a whole scan (issue 24).

A lone UTF-16 surrogate (``"\\ud800"`` in JSON) in a reply, an OpenAPI document or a JWT must not
stop judging: the scan completes with its findings and writes its reports.
"""

from __future__ import annotations

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
