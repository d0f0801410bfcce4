"""Forged tokens also go where the site carries its own tokens (issue 29): a cookie it set and a query
parameter in a URL it handed out, each compared with that carrier's own refusal; the reproduction
step repeats the request in that carrier."""

from __future__ import annotations

import json
import shlex
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fixtures.portal.carriers import create_carriers_app
from fixtures.web.server import serve
from scanner.model import Finding, Target, TargetKind
from scanner.probes.auth.client import Reply
from scanner.probes.auth.harvest import carriers_in
from scanner.report.evidence import reproduce

ROOT = Path(__file__).resolve().parents[3]
PINDAI = str(ROOT / ".venv" / "bin" / "pindai")
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"


@pytest.fixture(scope="module")
def scan() -> Iterator[tuple[str, dict[str, Any]]]:
    base, _, stop = serve(create_carriers_app())
    try:
        done = subprocess.run([PINDAI, "scan", base, "--probe", "auth", "--format", "json", "--no-store"],
                              capture_output=True, text=True, timeout=300)
        assert done.returncode in (0, 1), done.stderr[-3000:]
        yield base, json.loads(done.stdout)
    finally:
        stop()


def test_carriers_are_read_from_cookies_and_handed_out_urls() -> None:
    reply = Reply("http://127.0.0.1/", 200, {"location": f"/beranda?x=1&sso_token={JWT}"},
                  f'<a href="/unduh?akses={JWT}">x</a> <p>{JWT}</p>', {"sesi": JWT, "lang": "id"})
    assert carriers_in(reply) == [("cookie", "sesi"), ("query", "sso_token"), ("query", "akses")]


def test_forged_tokens_in_the_sites_own_carriers_are_found(scan: tuple[str, dict[str, Any]]) -> None:
    _, result = scan
    found = {f["item_key"]: f for f in result["findings"] if f["rule_id"] == "PND-AUTH-015"}
    assert set(found) == {"GET /api/dasbor", "GET /api/berkas"}
    (facts,) = [f["data"] for f in result["facts"] if f["probe"] == "auth"]
    carriers = {e["path"]: {(v["carrier"], v.get("carrier_name")) for v in e["variants"]
                            if v["name"].startswith("forged-") and v["status"] == "ok" and v["status_class"] == "2xx"}
                for e in facts["endpoints"]}
    assert carriers == {"/api/dasbor": {("cookie", "sesi")}, "/api/berkas": {("query", "akses")}}
    for endpoint in facts["endpoints"]:  # each carrier's forgeries were compared with its own refusal
        baselines = [v for v in endpoint["variants"] if v["name"] == "carrier-refusal"]
        assert {(v["carrier"], v["carrier_name"], v["refused"]) for v in baselines} == {
            ("cookie", "sesi", True), ("query", "akses", True)}


def test_reproduction_uses_the_carrier_and_opens_the_endpoint(scan: tuple[str, dict[str, Any]]) -> None:
    base, result = scan
    (facts,) = [f["data"] for f in result["facts"] if f["probe"] == "auth"]
    for item, flag in (("GET /api/dasbor", "-b"), ("GET /api/berkas", None)):
        finding = next(Finding.from_dict(f) for f in result["findings"]
                       if f["rule_id"] == "PND-AUTH-015" and f["item_key"] == item)
        (command,) = [line.value for line in reproduce(finding, Target(TargetKind.URL, base), facts, None).lines
                      if line.value.startswith("curl ")]
        words = shlex.split(command)
        assert "Authorization: Bearer" not in command
        headers = {"Cookie": words[words.index(flag) + 1]} if flag else {}
        with urllib.request.urlopen(urllib.request.Request(words[-1], headers=headers), timeout=10) as reply:
            assert reply.status == 200
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(words[-1].split("?")[0], timeout=10)
