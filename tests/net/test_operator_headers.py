"""``--header`` values are credentials (security review 2026-12-06, NEW-3): they go only to the
target's exact origin, and never over a TLS connection whose certificate did not verify unless
the operator turned verification off for that target."""

from __future__ import annotations

import json
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from fixtures.db.certs import make_self_signed
from fixtures.hostile.recording import RecordingSite
from scanner.cli import main
from scanner.net import session as sessions

HEADERS = ["--header", "Authorization: Bearer OPERATOR-SECRET", "--header", "Cookie: sid=OPERATOR-SESSION"]


def _carried(site: RecordingSite) -> list[str]:
    return [r.path for r in site.requests if "OPERATOR" in r.headers.get("authorization", "")
            or "OPERATOR" in r.headers.get("cookie", "")]


def _scan(url: str, tmp_path: Path, *extra: str) -> tuple[int, dict]:
    out = tmp_path / "r.json"
    result = CliRunner().invoke(main, ["scan", url, "--no-store", "--json", str(out), "--timeout", "3",
                                       "--probe", "http", "--probe", "auth", *HEADERS, *extra])
    assert out.exists(), result.output
    return result.exit_code, json.loads(out.read_text())


def test_headers_go_to_the_target_origin_only(tmp_path: Path) -> None:
    with RecordingSite("127.0.0.1", default=(200, {"Content-Type": "application/json"}, b'{"ok": 1}')) as other:
        page = f"<a href='{other.url}api/v1/x'>x</a><a href='/api/v1/own'>y</a>".encode()
        with RecordingSite("127.0.0.1", {"/": (200, {}, page)}) as site:
            _scan(site.url, tmp_path)
    assert other.requests, "the other origin was never contacted: the test proves nothing"
    assert _carried(other) == []
    assert "/" in _carried(site)  # the target itself still gets them


@pytest.fixture
def self_signed(tmp_path: Path) -> Iterator[RecordingSite]:
    crt, key = make_self_signed(tmp_path, "attacker-mitm")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(crt, key)
    with RecordingSite("127.0.0.1", {"/": (200, {}, b"<a href='/api/v1/me'>me</a>")}, tls=context) as site:
        yield site


def test_headers_withheld_over_an_unverified_certificate(self_signed: RecordingSite, tmp_path: Path) -> None:
    code, report = _scan(self_signed.url, tmp_path)
    assert self_signed.requests, "nothing reached the server: the test proves nothing"
    assert _carried(self_signed) == []
    http = next(f for f in report["facts"] if f["probe"] == "http")
    assert http["data"]["credentials_withheld"]["certificate not verified"] >= 1
    assert any(c["code"] == "credentials_unverified_tls" for c in http["data"]["coverage_limits"])
    assert code == 3  # partial: the authenticated view was not observed


def test_explicitly_unverified_target_gets_the_headers() -> None:
    http_session, unverified = sessions.http_session, "certificate not verified"
    session = http_session(headers=(("Authorization", "Bearer X"),), origin="https://127.0.0.1:1",
                           allow_unverified=True)
    assert session._withheld_reason("https://127.0.0.1:1/a", False) is None
    strict = http_session(headers=(("Authorization", "Bearer X"),), origin="https://127.0.0.1:1")
    assert strict._withheld_reason("https://127.0.0.1:1/a", False) == unverified
    assert strict._withheld_reason("https://127.0.0.1:1/a", True) is None
    assert strict._withheld_reason("https://127.0.0.1:2/a", True) is not None
    assert strict._withheld_reason("http://127.0.0.1:1/a", True) is not None


@pytest.mark.parametrize(("options", "carried"), [
    ({}, False),  # system CAs only: the self-signed certificate does not verify
    ({"verify_tls": False}, True),  # the operator's explicit choice for this target
    ("pin", True),  # ca_bundle pins the certificate
])
def test_profile_credentials_need_a_verified_or_pinned_certificate(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, options: object, carried: bool) -> None:
    from scanner.model import Target, TargetKind
    from scanner.probes.auth.probe import AuthProbe
    from scanner.probes.base import ProbeContext

    crt, key = make_self_signed(tmp_path, "localhost")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(crt, key)
    monkeypatch.setenv("PINDAI_TEST_OP_TOKEN", "PROFILE-SECRET")
    extra = {"ca_bundle": str(crt)} if options == "pin" else dict(options)  # type: ignore[call-overload]
    with RecordingSite("127.0.0.1", {"/api/v1/me": (200, {}, b"{}")}, tls=context) as site:
        target = Target(TargetKind.URL, site.url.replace("127.0.0.1", "localhost"), options={
            "auth": {"bearer_env": "PINDAI_TEST_OP_TOKEN", "endpoints": [{"url": "/api/v1/me"}]}, **extra})
        try:
            AuthProbe().run(target, ProbeContext())
        except Exception as exc:  # unreachable endpoints make the probe inconclusive
            assert not carried, exc
    sent = [r for r in site.requests if r.headers.get("authorization") == "Bearer PROFILE-SECRET"]
    assert bool(sent) is carried, site.requests
