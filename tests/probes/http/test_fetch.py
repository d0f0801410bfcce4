"""Fetch limits: scope on every redirect hop, redirect limit, body cap, unreachable hosts."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest

from fixtures.web import Portal, start_site
from scanner.model import Target, TargetKind
from scanner.probes.base import ProbeInconclusive
from scanner.probes.http import probe as probe_module
from scanner.probes.http.fetch import MAX_BODY, MAX_REDIRECTS, Fetcher, FetchError
from scanner.probes.http.probe import HttpProbe
from scanner.running.scope import Scope

from .conftest import fast_context


@pytest.fixture(scope="module")
def portal() -> Iterator[Portal]:
    site = start_site("clean")
    yield site
    site.stop()


def test_redirect_out_of_scope_is_not_followed(portal: Portal) -> None:
    fetcher = Fetcher(fast_context(Scope(patterns=("127.0.0.1",))))
    page = fetcher.get(portal.base_url + "keluar")
    assert page.status == 302
    assert page.stopped == "out-of-scope: pindai-outside.invalid"
    assert fetcher.requests_made == 1


def test_target_outside_scope_is_refused(portal: Portal) -> None:
    fetcher = Fetcher(fast_context(Scope(patterns=("10.0.0.0/8",))))
    with pytest.raises(FetchError, match="outside the scan scope"):
        fetcher.get(portal.base_url)
    assert fetcher.requests_made == 0


def test_redirect_limit(portal: Portal) -> None:
    fetcher = Fetcher(fast_context())
    page = fetcher.get(portal.base_url + "putar/0")
    assert page.stopped == "redirect-limit"
    assert len(page.chain) == MAX_REDIRECTS + 1


def test_body_cap(portal: Portal) -> None:
    page = Fetcher(fast_context()).get(portal.base_url + "besar")
    assert page.truncated
    assert len(page.body) == MAX_BODY


def test_page_cut_at_the_body_cap_makes_the_observation_partial(portal: Portal) -> None:
    from scanner.model import Facts

    target = Target(TargetKind.URL, portal.base_url + "besar")
    facts = Facts("http", target.id, HttpProbe().run(target, fast_context()))
    cut = [x for x in facts.limits if x.code == "http_body_bytes"]
    assert len(cut) == 1 and cut[0].limit == MAX_BODY and cut[0].total >= 1


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable_host_is_inconclusive() -> None:
    target = Target(TargetKind.URL, f"http://127.0.0.1:{_closed_port()}/")
    with pytest.raises(ProbeInconclusive, match=r"cannot reach .*: connection refused"):
        HttpProbe().run(target, fast_context())


def test_failing_sub_check_is_recorded_in_place(portal: Portal, monkeypatch: Any) -> None:
    def broken(*_: Any, **__: Any) -> list[dict[str, Any]]:
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(probe_module, "observe_cors", broken)
    target = Target(TargetKind.URL, portal.base_url, options={"exposures": False, "max_pages": 0})
    facts = HttpProbe().run(target, fast_context())
    assert facts["cors"] == {"status": "inconclusive", "reason": "RuntimeError: simulated failure"}
    assert facts["exposures"]["status"] == "inconclusive"
    assert facts["cookies"]["status"] == "ok" and facts["judol"]["status"] == "ok"


def test_https_target_checks_its_plain_http_twin() -> None:
    site = start_site("clean", https=True)
    try:
        facts = HttpProbe().run(Target(TargetKind.URL, site.base_url, options=site.target_options), fast_context())
    finally:
        site.stop()
    redirect = facts["https_redirect"]
    assert redirect["http_url"] == site.http_url
    assert redirect["first_hop_to_https"] and redirect["final_is_https"]
    assert facts["observatory"]["tests"][3] == {"name": "redirection", "expectation": "redirection-to-https",
                                                "modifier": 0}


def test_untrusted_certificate_is_observed_not_fatal() -> None:
    site = start_site("clean", https=True)
    try:
        target = Target(TargetKind.URL, site.base_url, options={"http_port": site.http_port, "exposures": False})
        facts = HttpProbe().run(target, fast_context())
    finally:
        site.stop()
    assert facts["tls_verified"] is False
    assert facts["http_status"] == 200


def test_main_page_redirecting_out_of_scope_is_inconclusive(portal: Portal) -> None:
    target = Target(TargetKind.URL, portal.base_url + "keluar")
    with pytest.raises(ProbeInconclusive, match=r"pindai-outside\.invalid, which is outside the scan scope"):
        HttpProbe().run(target, fast_context())


def test_drip_fed_body_is_cut_at_the_deadline_and_the_host_skipped() -> None:
    from fixtures.hostile import DripServer
    from scanner.probes.base import ProbeContext
    from scanner.probes.http.fetch import SlowHostError
    from scanner.running.politeness import HostGate, PolitenessPolicy

    ctx = ProbeContext(gate=HostGate(PolitenessPolicy(requests_per_second=0, timeout_s=0.5)),
                       scope=Scope(patterns=("127.0.0.1",)))
    fetcher = Fetcher(ctx)
    with DripServer(interval=0.05, lifetime=30) as server:
        clock = time.monotonic()
        page = fetcher.get(server.url)
        assert time.monotonic() - clock < 10  # cut near 3 x 0.5 s; the server would drip for 30 s
        assert page.too_slow and page.truncated and 0 < len(page.body) < 100
        with pytest.raises(SlowHostError):
            fetcher.get(server.url)


def test_tls_failure_reason_is_openssls_message() -> None:
    """An https:// request to a plain-HTTP server says why, from the start of OpenSSL's reason."""
    import requests

    from fixtures.web import start_portal
    from scanner.probes.http.fetch import describe

    base, stop = start_portal("clean")
    try:
        with pytest.raises(requests.exceptions.SSLError) as info:
            requests.get(base.replace("http://", "https://"), timeout=5)
    finally:
        stop()
    reason = describe(info.value, 5)
    assert reason.startswith("TLS handshake failed ([SSL: "), reason
    assert "_ssl.c" not in reason and "host=" not in reason
