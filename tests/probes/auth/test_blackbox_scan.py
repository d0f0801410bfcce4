"""`pindai scan URL` without a profile on the kabupaten portal fixture (fixtures/portal):
every weakness is found, nothing is raised on the traps, per rule; bounds and origin binding hold."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from fixtures.portal import ISSUED_SECRET, start_portal
from scanner.model import Target, TargetKind
from scanner.probes.auth.blackbox import REQUEST_BUDGET
from scanner.probes.auth.probe import AuthProbe
from scanner.probes.auth.tokens import JWT_PATTERN
from scanner.running.runner import observe

from .conftest import context

ROOT = Path(__file__).resolve().parents[3]
PINDAI = str(ROOT / ".venv" / "bin" / "pindai")

# rule -> the finding items (item_key) it must raise; every other auth rule must stay silent.
EXPECTED: dict[str, set[str]] = {
    "PND-AUTH-002": {"GET /api/penduduk", "GET /api/penduduk/1", "GET /api/v1/pengaduan"},
    "PND-AUTH-006": {"response:GET /api/sesi/tamu"},
    "PND-AUTH-007": {"response:GET /api/sesi/tamu"},
    "PND-AUTH-009": {"response:GET /api/sesi/tamu"},
    "PND-AUTH-015": {"GET /api/bansos/penerima", "GET /api/operator/akun"},
    "PND-AUTH-016": {"GET /api/penduduk", "GET /api/penduduk/1"},
    "PND-AUTH-017": {"/graphql"},
}
AUTH_RULES = [f"PND-AUTH-{n:03d}" for n in range(1, 18)]
TRAP_PATHS = ("/api/dokumen", "/api/statistik", "/api/v0/", "/app/", "/api/internal/", "/admin/", "/api/cari",
              "/api/graphql", "/berita", "/kontak")


@dataclass
class BlackBoxScan:
    result: dict[str, Any]
    stdout: str
    requests: list[tuple[str, str, bool]]
    base: str = ""

    @property
    def auth_facts(self) -> dict[str, Any]:
        return next(f["data"] for f in self.result["facts"] if f["probe"] == "auth")

    def items(self, rule: str) -> set[str]:
        return {f["item_key"] for f in self.result["findings"] if f["rule_id"] == rule}


@pytest.fixture(scope="module")
def scan() -> Iterator[BlackBoxScan]:
    log: list[tuple[str, str, bool]] = []
    base, stop = start_portal(log)
    try:
        done = subprocess.run([PINDAI, "scan", base, "--format", "json", "--no-store"],
                              capture_output=True, text=True, timeout=300)
        assert done.returncode in (0, 1), done.stderr[-3000:]
        yield BlackBoxScan(json.loads(done.stdout), done.stdout, list(log), base)  # the portal runs until teardown
    finally:
        stop()


def test_auth_probe_ran_black_box(scan: BlackBoxScan) -> None:
    facts = next(f for f in scan.result["facts"] if f["probe"] == "auth")
    assert facts["status"] == "ok", facts.get("reason")
    assert facts["data"]["mode"] == "black-box"
    assert facts["data"]["credentials"]["status"] == "none"


@pytest.mark.parametrize("rule", AUTH_RULES)
def test_each_rule_finds_its_weaknesses_and_nothing_else(scan: BlackBoxScan, rule: str) -> None:
    assert scan.items(rule) == EXPECTED.get(rule, set())


def test_no_auth_finding_on_a_trap(scan: BlackBoxScan) -> None:
    for finding in scan.result["findings"]:
        if finding["probe"] == "auth":
            assert not any(trap in finding["item_key"] for trap in TRAP_PATHS), finding["item_key"]


def test_health_data_makes_the_finding_specific(scan: BlackBoxScan) -> None:
    """UU PDP Pasal 4(2) vs 4(3) follows the data seen: the detail view carries a diagnosis."""
    by_item = {f["item_key"]: f for f in scan.result["findings"] if f["rule_id"] == "PND-AUTH-002"}
    assert by_item["GET /api/penduduk/1"]["sensitivity"] == "specific"
    assert by_item["GET /api/penduduk"]["sensitivity"] == "general"


def test_cracked_secret_forgery_is_marked(scan: BlackBoxScan) -> None:
    finding = next(f for f in scan.result["findings"]
                   if f["rule_id"] == "PND-AUTH-015" and f["item_key"] == "GET /api/operator/akun")
    assert [a["basis"] for a in finding["evidence"]["accepted"]] == ["cracked-secret"]


def test_discovery_facts(scan: BlackBoxScan) -> None:
    discovery = scan.auth_facts["discovery"]
    found = [d for d in discovery["descriptions"] if d["status"] == "found"]
    assert [(d["path"], d["version"], d["servers_outside_scope"]) for d in found] == [
        ("/openapi.json", "openapi-3.0.3", 1)]
    assert {g["path"]: g["introspection"] for g in discovery["graphql"]} == {"/graphql": True, "/api/graphql": False}
    discarded = {d["path"] for d in discovery["discarded"]}
    assert {"/api/v0/laporan", "/admin/", "/api/internal/"} <= discarded
    paths = {e["path"] for e in scan.auth_facts["endpoints"]}
    assert "/api/v1/pengaduan" in paths  # referenced only from the JavaScript bundle
    assert not any(p.startswith(("/app/", "/api/v0/")) for p in paths)


def test_requests_are_bounded_safe_and_counted(scan: BlackBoxScan) -> None:
    sent = scan.auth_facts["requests_sent"]
    assert 0 < sent <= REQUEST_BUDGET
    assert {method for method, _, _ in scan.requests} <= {"GET", "HEAD"}
    assert not any(path == "/api/penduduk/hapus" for _, path, _ in scan.requests)


def test_forged_tokens_only_go_to_refusing_endpoints(scan: BlackBoxScan) -> None:
    with_token = {path for _, path, auth in scan.requests if auth}
    refusing = {e["path"] for e in scan.auth_facts["endpoints"] if e["refusal"]["refused"]}
    assert with_token and with_token <= refusing


def test_no_token_or_secret_in_the_output(scan: BlackBoxScan) -> None:
    """No token the site handed out and no cracked secret; only forged tokens that were accepted, for
    the reproduction step (made up by Pindai, holding no secret and no personal data)."""
    forged = {".".join(a["token_parts"]) for f in scan.result["findings"] if f["rule_id"] == "PND-AUTH-015"
              for a in f["evidence"]["accepted"] if a.get("token_parts")}
    assert {m.group(0) for m in JWT_PATTERN.finditer(scan.stdout)} <= forged
    assert ISSUED_SECRET not in scan.stdout


def test_forged_token_reproduction_shows_the_finding(scan: BlackBoxScan) -> None:
    """Running the report's reproduction step gets the protected answer, not the 401."""
    import shlex
    import urllib.request

    from scanner.model import Finding
    from scanner.report.evidence import reproduce

    finding = next(Finding.from_dict(f) for f in scan.result["findings"]
                   if f["rule_id"] == "PND-AUTH-015" and f["item_key"] == "GET /api/operator/akun")
    target = Target(TargetKind.URL, scan.base)
    (command,) = [line.value for line in reproduce(finding, target, {}, None).lines
                  if line.value.startswith("curl ")]
    words = shlex.split(command)
    header = words[words.index("-H") + 1]
    assert header.startswith("Authorization: Bearer ey")
    name, _, value = header.partition(": ")
    with urllib.request.urlopen(urllib.request.Request(words[-1], headers={name: value}), timeout=10) as reply:
        assert reply.status == 200
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(words[-1], timeout=10)
    assert refused.value.code in (401, 403)


def test_start_page_redirect_is_followed_within_scope() -> None:
    base, stop = start_portal()
    try:
        observed = observe(AuthProbe(), Target(TargetKind.URL, base + "mulai"), context())
    finally:
        stop()
    assert observed.status == "ok", observed.reason
    assert observed.data["discovery"]["start_page"] == {"http_status": 200, "path": "/", "moved": True}
    assert "/api/v1/pengaduan" in {e["path"] for e in observed.data["endpoints"]}
