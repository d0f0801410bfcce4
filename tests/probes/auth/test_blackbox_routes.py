"""Routes nobody links (issue 29): `pindai scan URL` finds a token endpoint that no page, script,
robots.txt, sitemap or API description mentions, and reports its token weaknesses; a site that
answers 200 to every path yields no route; route discovery stays within its budget and says so."""

from __future__ import annotations

import json
import subprocess
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from fixtures.portal import HIDDEN_TOKEN_PATH, start_catchall, start_portal
from scanner.model import Target, TargetKind
from scanner.probes.auth import routes
from scanner.probes.auth.blackbox import REQUEST_BUDGET
from scanner.probes.auth.client import Reply
from scanner.probes.auth.probe import AuthProbe
from scanner.probes.auth.routes import MAX_ROUTE_REQUESTS, RouteCheck, existence, route_list
from scanner.running.runner import observe

from .conftest import context

ROOT = Path(__file__).resolve().parents[3]
PINDAI = str(ROOT / ".venv" / "bin" / "pindai")
TOKEN_ITEM = f"response:GET {HIDDEN_TOKEN_PATH}"
# rule -> the finding items it must raise on the hidden-token portal; every other auth rule stays silent
EXPECTED: dict[str, set[str]] = {
    "PND-AUTH-002": {"GET /api/penduduk", "GET /api/penduduk/1", "GET /api/v1/pengaduan"},
    "PND-AUTH-006": {TOKEN_ITEM},
    "PND-AUTH-007": {TOKEN_ITEM},
    "PND-AUTH-009": {TOKEN_ITEM},
    "PND-AUTH-015": {"GET /api/bansos/penerima", "GET /api/operator/akun"},  # the latter by the cracked secret
    "PND-AUTH-016": {"GET /api/penduduk", "GET /api/penduduk/1"},
    "PND-AUTH-017": {"/graphql"},
}
AUTH_RULES = [f"PND-AUTH-{n:03d}" for n in range(1, 19)]


@dataclass
class Scan:
    result: dict[str, Any]
    requests: list[tuple[str, str, bool]]

    @property
    def auth_facts(self) -> dict[str, Any]:
        return next(f["data"] for f in self.result["facts"] if f["probe"] == "auth")

    def items(self, rule: str) -> set[str]:
        return {f["item_key"] for f in self.result["findings"] if f["rule_id"] == rule}


def _scan(base: str, log: list[tuple[str, str, bool]], *extra: str) -> Scan:
    done = subprocess.run([PINDAI, "scan", base, "--probe", "auth", "--format", "json", "--no-store", *extra],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode in (0, 1), done.stderr[-3000:]
    return Scan(json.loads(done.stdout), list(log))


@pytest.fixture(scope="module")
def hidden() -> Iterator[Scan]:
    log: list[tuple[str, str, bool]] = []
    base, stop = start_portal(log, hidden_token=True)
    try:
        # the premise: nothing the site serves mentions the token endpoint
        for path in ("", "static/js/app.js", "openapi.json", "robots.txt", "sitemap.xml", "docs"):
            with urllib.request.urlopen(base + path, timeout=10) as reply:
                assert HIDDEN_TOKEN_PATH not in reply.read().decode()
        yield _scan(base, log)
    finally:
        stop()


@pytest.fixture(scope="module")
def catchall() -> Iterator[Scan]:
    log: list[tuple[str, str, bool]] = []
    base, stop = start_catchall(log)
    try:
        yield _scan(base, log)
    finally:
        stop()


@pytest.mark.parametrize("rule", AUTH_RULES)
def test_hidden_token_endpoint_is_found_and_its_weaknesses_reported(hidden: Scan, rule: str) -> None:
    assert hidden.items(rule) == EXPECTED.get(rule, set())


def test_hidden_route_facts(hidden: Scan) -> None:
    found = hidden.auth_facts["discovery"]["routes"]["found"]
    assert found == [{"path": HIDDEN_TOKEN_PATH, "id": "common-auth", "framework": "common", "http_status": 200,
                      "content_kind": "json", "answer": "content"}]
    (endpoint,) = [e for e in hidden.auth_facts["endpoints"] if e["path"] == HIDDEN_TOKEN_PATH]
    assert endpoint["source"] == "routes"
    # the route's reply is its no-credentials observation: the token endpoint is requested once
    assert [p for _, p, _ in hidden.requests].count(HIDDEN_TOKEN_PATH) == 1


def test_routes_under_a_spa_catch_all_are_not_found(hidden: Scan) -> None:
    """Every other /api/... guess gets the portal's SPA shell (200 HTML) and is not a route."""
    tried = {p for _, p, _ in hidden.requests}
    assert {"/api/token", "/api/users", "/api/v1/auth/token"} <= tried
    assert len(hidden.auth_facts["discovery"]["routes"]["found"]) == 1


def test_route_discovery_is_get_only_and_within_budget(hidden: Scan, catchall: Scan) -> None:
    for scan in (hidden, catchall):
        facts = scan.auth_facts
        assert {method for method, _, _ in scan.requests} <= {"GET", "HEAD"}  # HEAD: the reachability check
        assert facts["discovery"]["routes"]["requests"] <= MAX_ROUTE_REQUESTS
        assert facts["requests_sent"] <= REQUEST_BUDGET
        assert "coverage_limits" not in facts


def test_catch_all_site_yields_no_route_and_no_finding(catchall: Scan) -> None:
    routes_facts = catchall.auth_facts["discovery"]["routes"]
    assert routes_facts["found"] == []
    assert routes_facts["tried"] > 100
    assert routes_facts["siblings"]  # the /api/ answers looked like content, so their folders were compared
    assert catchall.auth_facts["endpoints"] == []
    assert catchall.auth_facts["tokens"] == []
    assert [f for f in catchall.result["findings"] if f["probe"] == "auth"] == []


# -- the list, its format and its budget ------------------------------------------------------------

def reply(status: int, text: str = "{}", content_type: str = "application/json", **headers: str) -> Reply:
    return Reply("http://127.0.0.1/x", status, {"content-type": content_type, **headers}, text)


def test_what_says_a_route_exists() -> None:
    assert existence(reply(200)) == "content"
    assert existence(reply(200, "<html></html>", "text/html")) == ""  # web pages are the http probe's
    assert existence(reply(401)) == "status-401"
    assert existence(reply(403)) == "status-403"
    assert existence(reply(405)) == "method-not-allowed"
    assert existence(reply(302, location="/login?next=/api/admin")) == "login-redirect"
    assert existence(reply(302, location="/beranda")) == ""
    assert existence(reply(404)) == existence(reply(500)) == ""


def test_shipped_list_is_grouped_by_framework_and_small() -> None:
    version, checks = routes.shipped()
    assert version
    frameworks = {c.framework for c in checks}
    assert {"laravel", "codeigniter", "spring", "express", "django", "fastapi", "aspnet", "wordpress"} <= frameworks
    listed = route_list()
    assert 100 <= len(listed) <= 300
    assert len({r.path for r in listed}) == len(listed)
    assert {"/api/token", "/api/login", "/api/auth/token", "/oauth/token", "/api/users", "/api/admin",
            "/actuator", "/api/docs"} <= {r.path for r in listed}


def test_agency_routes_come_first_and_requires_is_tried_first() -> None:
    listed = route_list([{"id": "kab-simpeg", "paths": ["/simpeg/api/token", "/api/token"]},
                         {"id": "kab-wp", "framework": "wordpress", "requires": "/kab/wp-json/",
                          "paths": ["/kab/wp-json/x", "/kab/wp-json/"]}])
    assert [(r.path, r.check, r.framework, r.requires) for r in listed[:4]] == [
        ("/simpeg/api/token", "kab-simpeg", "agency", ""), ("/api/token", "kab-simpeg", "agency", ""),
        ("/kab/wp-json/", "kab-wp", "wordpress", ""), ("/kab/wp-json/x", "kab-wp", "wordpress", "/kab/wp-json/")]
    assert [r.path for r in listed].count("/api/token") == 1


@pytest.mark.parametrize(("item", "message"), [
    ({"id": "x1", "paths": ["//evil.example/token"]}, "a path starts with one '/'"),
    ({"id": "x1", "paths": ["api/token"]}, "a path starts with one '/'"),
    ({"id": "x1", "paths": ["/api/../etc/passwd"]}, "no '..' segment"),
    ({"id": "x1", "paths": ["/api/token?user=1"]}, "query"),
    ({"id": "x1", "paths": ["/api/to ken"]}, "a space"),
    ({"id": "x1", "paths": ["/a"], "requires": "/b"}, "is not one of this check's paths"),
    ({"id": "x1", "paths": ["/a"], "method": "POST"}, "Extra inputs are not permitted"),
    ({"id": "X!", "paths": ["/a"]}, "String should match pattern"),
    ({"id": "x1", "paths": []}, "at least 1 item"),
])
def test_bad_route_checks_are_refused(item: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message.replace("?", r"\?").replace(".", r"\.")):
        RouteCheck.model_validate(item)


def test_route_budget_cut_is_said_aloud() -> None:
    """An agency list longer than the route budget, on a site that answers every path: the route
    requests stop at the budget and the observation says how many routes were not tried."""
    extra = tuple({"id": f"kab-{n}", "paths": [f"/api/kab{n}/r{i}" for i in range(50)]} for n in range(5))
    base, stop = start_catchall()
    try:
        ctx = context()
        ctx.checks = {"auth": extra}
        observed = observe(AuthProbe(), Target(TargetKind.URL, base), ctx)
    finally:
        stop()
    facts = observed.data["discovery"]["routes"]
    assert facts["agency"] == 5 and facts["listed"] == 250 + len(route_list())
    assert facts["requests"] <= MAX_ROUTE_REQUESTS
    assert facts["not_tried"] > 0 and facts["found"] == []
    (limit,) = [c for c in observed.data["coverage_limits"] if c["code"] == "auth_routes"]
    assert limit == {"code": "auth_routes", "limit": facts["tried"], "total": facts["tried"] + facts["not_tried"]}
