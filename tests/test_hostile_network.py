"""A hostile target steering Pindai's requests: scope, credentials, environment, bounds (issue 13).

The scanned target runs on 127.0.0.1; 127.0.0.2 stands for "another host". Unless a test puts
127.0.0.2 in scope, the listener there must receive NOTHING, whatever the target's redirects,
links, OpenAPI paths or login forms say. Credentials go only to the target's own origin.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from fixtures.hostile import DripServer
from fixtures.hostile.recording import RecordingSite, hostile_environment
from scanner.model import Facts, Target, TargetKind
from scanner.probes.auth.probe import AuthProbe
from scanner.probes.base import ProbeContext
from scanner.probes.http.probe import HttpProbe
from scanner.running.politeness import HostGate, PolitenessPolicy
from scanner.running.runner import observe
from scanner.running.scope import Scope

OTHER = "127.0.0.2"
TOKEN = "pindai-canary-bearer-9f3a"
PASSWORD = "pindai-canary-password-5d1c"
PAGE = b"<html><head><title>Portal</title></head><body><a href='/berita'>Berita</a></body></html>"


def context(*hosts: str, timeout: float = 3.0) -> ProbeContext:
    policy = PolitenessPolicy(per_host_concurrency=4, requests_per_second=1000, timeout_s=timeout)
    return ProbeContext(gate=HostGate(policy), scope=Scope(hosts or ("127.0.0.1",)))


@pytest.fixture
def site() -> Iterator[RecordingSite]:
    with RecordingSite("127.0.0.1", {"/": (200, {}, PAGE), "/berita": (200, {}, PAGE)}) as server:
        yield server


@pytest.fixture
def other() -> Iterator[RecordingSite]:
    with RecordingSite(OTHER, {"/x": (200, {}, b"other host"), "/login": (302, {"Location": "/"}, b"")}) as server:
        yield server


@pytest.fixture
def secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PINDAI_HOSTILE_TOKEN", TOKEN)
    monkeypatch.setenv("PINDAI_HOSTILE_PASSWORD", PASSWORD)


def http_scan(site: RecordingSite, ctx: ProbeContext | None = None) -> Facts:
    return observe(HttpProbe(), Target(TargetKind.URL, site.url, options={"judol_pages": 1}), ctx or context())


def auth_scan(site: RecordingSite, auth: dict[str, object], ctx: ProbeContext | None = None) -> Facts:
    return observe(AuthProbe(), Target(TargetKind.URL, site.url, options={"auth": auth}), ctx or context())


def leaked(server: RecordingSite, *secrets: str) -> list[str]:
    """Requests at ``server`` that carry any of ``secrets`` anywhere (line, headers, body)."""
    return [f"{r.method} {r.path}" for r in server.requests
            if any(s in r.path or s in json.dumps(r.headers) or s.encode() in r.body for s in secrets)]


def openapi(*paths: str) -> bytes:
    return json.dumps({"openapi": "3.0.0", "paths": {p: {"get": {}} for p in paths}}).encode()


# -- 1. the scope check sees the host the client connects to ---------------------------------------

def test_backslash_redirect_does_not_leave_scope(site: RecordingSite, other: RecordingSite) -> None:
    site.routes["/"] = (302, {"Location": f"http://{OTHER}:{other.port}\\@127.0.0.1:{site.port}/x"}, b"")
    facts = http_scan(site)
    assert other.requests == []
    assert facts.status == "ok", facts.reason
    assert facts.data["redirect_stopped"].startswith("unsafe-location")
    assert "backslash" in facts.data["redirect_stopped"]


def test_backslash_openapi_path_gets_no_request_and_no_token(site: RecordingSite, other: RecordingSite,
                                                             secrets: None) -> None:
    site.routes["/openapi.json"] = (200, {"Content-Type": "application/json"},
                                    openapi(f"//{OTHER}:{other.port}\\@127.0.0.1:{site.port}/x", "/berita"))
    facts = auth_scan(site, {"bearer_env": "PINDAI_HOSTILE_TOKEN", "openapi": "/openapi.json"})
    assert other.requests == []
    assert facts.status == "ok", facts.reason
    (hostile,) = [e for e in facts.data["endpoints"] if e["host"] == OTHER]  # where it really points
    assert "backslash" in hostile["authenticated"]["reason"]
    assert any(e["path"] == "/berita" and e["authenticated"]["status"] == "ok" for e in facts.data["endpoints"])


# -- 2. credentials stay with the target's origin ----------------------------------------------------

def test_openapi_path_to_another_in_scope_host_gets_no_token(site: RecordingSite, other: RecordingSite,
                                                             secrets: None) -> None:
    site.routes["/openapi.json"] = (200, {"Content-Type": "application/json"},
                                    openapi(f"//{OTHER}:{other.port}/x", "/berita"))
    facts = auth_scan(site, {"bearer_env": "PINDAI_HOSTILE_TOKEN", "openapi": "/openapi.json"},
                      context("127.0.0.1", OTHER))
    assert leaked(other, TOKEN) == []
    assert all("authorization" not in r.headers for r in other.requests)
    (endpoint,) = [e for e in facts.data["endpoints"] if e["host"] == OTHER]
    assert endpoint["authenticated"]["status"] == "inconclusive"
    assert "credentials not sent" in endpoint["authenticated"]["reason"]
    assert leaked(site, TOKEN)  # the target itself did get the token (the test can fail)


def test_login_form_posting_to_another_host_gets_no_password(site: RecordingSite, other: RecordingSite,
                                                             secrets: None) -> None:
    form = (f"<form method='post' action='http://{OTHER}:{other.port}/login'><input name='username'>"
            "<input type='password' name='password'></form>").encode()
    site.routes["/masuk"] = (200, {}, form)
    facts = auth_scan(site, {"login": {"url": "/masuk", "user": "petugas", "password_env": "PINDAI_HOSTILE_PASSWORD"},
                             "endpoints": [{"url": "/berita"}]}, context("127.0.0.1", OTHER))
    assert leaked(other, PASSWORD, "petugas") == []
    login = facts.data["login"]
    assert login["form_action_other_origin"] is True
    assert login["login"]["status"] == "skipped" and "credentials not sent" in login["login"]["reason"]
    assert facts.data["credentials"]["status"] == "inconclusive"


def test_session_cookie_does_not_follow_a_login_redirect_to_another_host(site: RecordingSite, other: RecordingSite,
                                                                         secrets: None) -> None:
    site.routes["/masuk"] = (200, {}, b"<form method='post' action='/login'><input name='username'>"
                                      b"<input type='password' name='password'></form>")
    site.routes["/login"] = (302, {"Location": f"http://{OTHER}:{other.port}/x", "Set-Cookie": "sesi=rahasia"}, b"")
    facts = auth_scan(site, {"login": {"url": "/masuk", "user": "petugas", "password_env": "PINDAI_HOSTILE_PASSWORD"},
                             "endpoints": [{"url": "/berita"}]}, context("127.0.0.1", OTHER))
    assert leaked(other, "rahasia", PASSWORD) == []
    assert facts.data["login"]["status"] == "ok", facts.data["login"]
    assert facts.data["credentials"]["status"] == "ok", facts.data["credentials"]
    assert leaked(site, "rahasia")  # the session cookie is used on the target itself


def test_credentials_are_not_sent_over_http_from_an_https_origin(site: RecordingSite) -> None:
    from scanner.probes.auth.client import Client, CredentialsWithheld  # here: the rest runs on older code too

    client = Client(context(), origin=f"https://127.0.0.1:{site.port}")
    with pytest.raises(CredentialsWithheld):
        client.send("POST", site.url + "login", data={"password": PASSWORD})
    with pytest.raises(CredentialsWithheld):
        client.send("GET", site.url, headers={"Authorization": f"Bearer {TOKEN}"})
    assert site.requests == []
    client.send("GET", site.url)  # without credentials the request is made
    assert [r.path for r in site.requests] == ["/"]


# -- 4. the environment does not redirect or add credentials -----------------------------------------

def test_auth_client_ignores_proxy_and_netrc_from_the_environment(site: RecordingSite, other: RecordingSite,
                                                                  secrets: None, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in hostile_environment(other.url, tmp_path / ".netrc").items():
        monkeypatch.setenv(name, value)
    facts = auth_scan(site, {"bearer_env": "PINDAI_HOSTILE_TOKEN", "endpoints": [{"url": "/berita"}]})
    assert facts.status == "ok", facts.reason
    assert other.requests == []
    sent = sorted(r.headers.get("authorization", "") for r in site.requests if r.path == "/berita")
    assert sent == ["", f"Bearer {TOKEN}"]  # the configured token, and none at all for no-credentials


# -- 9. one malformed link does not blind the HTTP probe ---------------------------------------------

def test_malformed_link_is_skipped_and_recorded(site: RecordingSite) -> None:
    site.routes["/"] = (200, {}, b"<html><body><a href='http://[x]/'>rusak</a><a href='/berita'>Berita</a>"
                                 b"<a href='http://127.0.0.2:1\\@127.0.0.1/'>miring</a>slot gacor</body></html>")
    facts = http_scan(site)
    assert facts.status == "ok", facts.reason
    assert facts.data["links_skipped"]["count"] == 2
    assert "/berita" in facts.data["pages_checked"]
    assert facts.data["judol"]["status"] == "ok" and facts.data["personal_data"]["status"] == "ok"


def test_malformed_location_keeps_the_observation(site: RecordingSite) -> None:
    site.routes["/"] = (302, {"Location": "http://[x]/"}, b"")
    facts = http_scan(site)
    assert facts.status == "ok", facts.reason
    assert facts.data["http_status"] == 302
    assert facts.data["redirect_stopped"].startswith("unsafe-location")
    assert facts.data["judol"]["status"] == "ok"


# -- 11. the auth client has an overall deadline per response ----------------------------------------

def test_auth_client_gives_up_on_a_drip_feeding_body(secrets: None) -> None:
    with DripServer(interval=0.2, lifetime=120) as server:
        target = Target(TargetKind.URL, server.url, options={"auth": {"bearer_env": "PINDAI_HOSTILE_TOKEN"}})
        facts = observe(AuthProbe(), target, context(timeout=1.0))
    assert facts.status == "inconclusive"
    assert "too slow" in facts.reason


# -- 14. a deeply nested OpenAPI document --------------------------------------------------------------

def test_deeply_nested_openapi_is_inconclusive_discovery_not_a_crash(site: RecordingSite, secrets: None) -> None:
    site.routes["/openapi.json"] = (200, {"Content-Type": "application/json"}, b"[" * 200_000 + b"]" * 200_000)
    facts = auth_scan(site, {"bearer_env": "PINDAI_HOSTILE_TOKEN", "openapi": "/openapi.json",
                             "endpoints": [{"url": "/berita"}]})
    assert facts.status == "ok", facts.reason
    assert facts.data["discovery"]["status"] == "inconclusive"
    assert "nested too deeply" in facts.data["discovery"]["reason"]
    assert facts.data["endpoints"][0]["authenticated"]["status"] == "ok"
