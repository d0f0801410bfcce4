"""More recipes and edge cases against the fixture API: login throttling, Basic, cookies, scope."""

from __future__ import annotations

import os
import socket
from typing import Any

import pytest

from fixtures.api import BASIC_PASSWORD, BASIC_USER, LOGIN_USER, mint_token
from scanner.judging.engine import judge
from scanner.model import Facts, Target, TargetKind
from scanner.probes.auth.probe import AuthProbe
from scanner.probes.base import ProbeInconclusive
from scanner.running.runner import observe

from .conftest import Api, context, shipped_rules, target


def run(location: str, auth: dict[str, Any]) -> tuple[dict[str, Any], set[tuple[str, str]]]:
    """Facts of one target and its (rule, item) findings under the shipped rules."""
    t = target(location, auth)
    data = AuthProbe().run(t, context())
    findings = judge([Facts("auth", t.id, data)], [t], shipped_rules()).findings
    return data, {(f.rule_id, f.item_key) for f in findings}


@pytest.fixture
def env() -> Any:
    names: list[str] = []

    def put(name: str, value: str) -> str:
        os.environ[name] = value
        names.append(name)
        return name

    yield put
    for name in names:
        os.environ.pop(name, None)


def test_throttled_login_with_captcha_and_mfa(api: Api) -> None:
    data, found = run(api.base + "/masuk", {
        "login": {"url": "/masuk", "user": LOGIN_USER, "password_env": "PINDAI_TEST_LOGIN_PASSWORD",
                  "success_marker": "Selamat datang"}, "login_rate_limit_attempts": 6})
    login = data["login"]
    assert login["captcha_hint"] and login["mfa_hint"]
    assert login["rate_limit"]["throttled"] and login["rate_limit"]["first_throttled_at"] == 4
    assert "status 429" in login["rate_limit"]["signals"]
    assert found == {("PND-AUTH-011", "/masuk")}  # plain HTTP is still reported


def test_login_page_redirect_is_followed_within_scope(api: Api) -> None:
    data, found = run(api.base + "/sso/", {
        "login": {"url": "/sso/login", "user": LOGIN_USER, "password_env": "PINDAI_TEST_LOGIN_PASSWORD",
                  "success_marker": "Selamat datang"}, "endpoints": [{"url": "/portal/api/dasbor"}]})
    assert data["login"]["redirected_to"] == "/login" and data["login"]["login"]["marker"] == "present"
    assert data["login"]["rate_limit"]["status"] == "skipped"
    assert data["endpoints"][0]["authenticated"]["http_status"] == 200
    assert {rule for rule, _ in found} == {"PND-AUTH-008", "PND-AUTH-011", "PND-AUTH-013"}


def test_basic_recipe_skips_jwt_variants(api: Api, env: Any) -> None:
    data, found = run(api.base + "/api/basic/laporan", {"basic_user": BASIC_USER,
                                                        "basic_password_env": env("PT_BASIC", BASIC_PASSWORD)})
    assert data["credentials"] == {"status": "ok", "jwt": False, "carrier": "basic"}
    [endpoint] = data["endpoints"]
    assert endpoint["authenticated"]["http_status"] == 200
    skipped = {v["name"]: v["reason"] for v in endpoint["variants"] if v["status"] == "skipped"}
    assert skipped["alg-none"] == "the basic credential is not a JWT"
    assert found == set()


def test_cookie_recipe_forges_the_cookie(api: Api, env: Any) -> None:
    cookie = env("PT_COOKIE", "tema=gelap; sesi=" + mint_token("hs-strong"))
    data, found = run(api.base + "/portal/", {"cookie_env": cookie, "endpoints": [{"url": "/portal/api/dasbor"}]})
    assert data["credentials"]["carrier"] == "cookie" and data["credentials"]["jwt"]
    [endpoint] = data["endpoints"]
    assert [v["http_status"] for v in endpoint["variants"] if v["status"] == "ok"] == [401] * 6
    assert found == set()


def test_without_credentials_only_personal_data_is_judged(api: Api) -> None:
    data, found = run(api.base + "/api/public/penduduk", {})
    assert data["credentials"]["status"] == "none"
    assert found == {("PND-AUTH-002", "GET /api/public/penduduk")}


def test_an_auth_table_without_credentials_still_gets_forged_tokens(api: Api) -> None:
    """Issue 29: the profile names the endpoints but gives no credential; forged tokens (as in the
    black-box mode) still go to those that refuse, and only the one accepting ``alg: none`` is raised."""
    data, found = run(api.base + "/api/", {"endpoints": [{"url": "/api/legacy/keluarga"},
                                                         {"url": "/api/v1/penduduk"}]})
    assert data["credentials"]["status"] == "none"
    by_path = {e["path"]: e for e in data["endpoints"]}
    assert {p: e["refusal"]["refused"] for p, e in by_path.items()} == {"/api/legacy/keluarga": True,
                                                                        "/api/v1/penduduk": True}
    forged = [v for v in by_path["/api/v1/penduduk"]["variants"] if v["name"].startswith("forged-")]
    assert forged and all(v["status_class"] == "4xx" for v in forged)  # RS256 with exp required: all refused
    assert found == {("PND-AUTH-015", "GET /api/legacy/keluarga")}


def test_health_data_without_authentication_is_specific(api: Api) -> None:
    t = target(api.base + "/api/public/layanan-kesehatan", {})
    data = AuthProbe().run(t, context())
    [finding] = judge([Facts("auth", t.id, data)], [t], shipped_rules()).findings
    assert finding.rule_id == "PND-AUTH-002" and finding.sensitivity == "specific"
    assert finding.evidence["personal_data"]["kinds"] == ["health"]


def test_missing_secret_is_recorded_not_fatal(api: Api) -> None:
    data, found = run(api.base + "/api/v1/penduduk", {"bearer_env": "PINDAI_TEST_UNSET_VARIABLE"})
    assert data["credentials"] == {"status": "inconclusive",
                                   "reason": "environment variable PINDAI_TEST_UNSET_VARIABLE is not set"}
    assert data["endpoints"][0]["authenticated"]["status"] == "skipped"
    assert found == set()


def test_out_of_scope_endpoint_is_never_contacted(api: Api) -> None:
    other = api.base.replace("127.0.0.1", "localhost") + "/api/public/penduduk"
    ctx = context()
    with pytest.raises(ProbeInconclusive, match="outside the scan scope"):
        AuthProbe().run(target(api.base + "/", {"endpoints": [{"url": other}]}), ctx)
    assert "localhost" not in ctx.gate.connections


def test_every_request_goes_through_the_gate(api: Api) -> None:
    ctx = context()
    data = AuthProbe().run(target(api.base + "/api/v1/penduduk", {"bearer_env": "PINDAI_TEST_RS_TOKEN"}), ctx)
    to_target = sum(n for key, n in ctx.gate.connections.items() if key.startswith("127.0.0.1:"))  # per service
    assert to_target == data["requests_sent"] > 5


def test_unreachable_target_is_inconclusive() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(ProbeInconclusive, match="no endpoint could be reached"):
        AuthProbe().run(target(f"http://127.0.0.1:{port}/", {}), context())


def test_invalid_options_become_inconclusive_facts() -> None:
    t = target("http://127.0.0.1:9/", {"login_rate_limit_attempts": 50})
    facts = observe(AuthProbe(), t, context())
    assert facts.status == "inconclusive"
    assert "options.auth.login_rate_limit_attempts" in facts.reason


def test_applies_to_every_web_url_black_box_without_an_auth_table() -> None:
    probe = AuthProbe()
    assert probe.applies_to(target("http://127.0.0.1/", {}))
    assert probe.applies_to(Target(TargetKind.URL, "https://127.0.0.1/"))
    assert not probe.applies_to(Target(TargetKind.URL, "ftp://127.0.0.1/"))
    assert not probe.applies_to(Target(TargetKind.SOURCE, "src", options={"auth": {}}))


def test_neighbouring_identifiers_with_the_same_credential(api: Api) -> None:
    """IDOR: /api/v1/penduduk/N serves any resident to any valid token; /api/v1/akun/N only its own."""
    data, found = run(api.base + "/", {"bearer_env": "PINDAI_TEST_RS_TOKEN", "endpoints": [
        {"url": "/api/v1/penduduk/2"}, {"url": "/api/v1/akun/1"}, {"url": "/api/public/statistik"}]})
    assert {item for rule, item in found if rule == "PND-AUTH-018"} == {"GET /api/v1/penduduk/2"}
    by_path = {e["path"]: e["neighbours"] for e in data["endpoints"]}
    assert [(r["path"], r["other_subject"]) for r in by_path["/api/v1/penduduk/2"]["requests"]] == [
        ("/api/v1/penduduk/1", True), ("/api/v1/penduduk/3", True)]
    assert [(r["path"], r["http_status"]) for r in by_path["/api/v1/akun/1"]["requests"]] == [
        ("/api/v1/akun/0", 401), ("/api/v1/akun/2", 401)]
    assert by_path["/api/public/statistik"]["status"] == "skipped"
    examples = [x["masked"] for r in by_path["/api/v1/penduduk/2"]["requests"] for x in r["personal_data"]["examples"]]
    assert examples and all("*" in x for x in examples)


def test_returned_uuid_and_alphanumeric_identifiers_with_the_same_credential(api: Api) -> None:
    """IDOR on identifiers that cannot be counted (issue 29): /api/v1/berkas/<uuid> serves any resident's
    document to any valid token, found with the other UUIDs the list endpoint returned; /api/v1/surat/<code>
    serves only the token's own letter."""
    import uuid

    from fixtures.api.data import residents

    first = str(uuid.uuid5(uuid.NAMESPACE_URL, residents()[0]["nik"]))
    data, found = run(api.base + "/", {"bearer_env": "PINDAI_TEST_RS_TOKEN", "endpoints": [
        {"url": f"/api/v1/berkas/{first}"}, {"url": "/api/v1/surat/SRT01A007"},
        {"url": "/api/v1/berkas"}, {"url": "/api/v1/surat"}]})
    by_path = {e["path"]: e["neighbours"] for e in data["endpoints"]}
    uuids = by_path[f"/api/v1/berkas/{first}"]
    assert (uuids["status"], uuids["identifier"], uuids["kind"]) == ("ok", "path", "uuid")
    assert len(uuids["requests"]) == 2 and all(r["other_subject"] for r in uuids["requests"])
    codes = by_path["/api/v1/surat/SRT01A007"]
    assert (codes["kind"], [r["http_status"] for r in codes["requests"]]) == ("alphanumeric", [401, 401])
    assert {item for rule, item in found if rule == "PND-AUTH-018"} == {f"GET /api/v1/berkas/{first}"}
