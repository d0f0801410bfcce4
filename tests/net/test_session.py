"""The session factory ignores the environment: no proxies, no .netrc, unless given explicitly."""

from __future__ import annotations

from pathlib import Path

import pytest

from fixtures.hostile.recording import RecordingSite, hostile_environment
from scanner.net.session import http_session


def test_environment_proxy_and_netrc_are_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with RecordingSite("127.0.0.1", {"/plain": (200, {}, b"ok")}) as target, RecordingSite("127.0.0.2") as proxy:
        for name, value in hostile_environment(proxy.url, tmp_path / ".netrc").items():
            monkeypatch.setenv(name, value)
        assert http_session().get(target.url + "plain", timeout=5).status_code == 200
    assert proxy.requests == []  # the environment's proxy received nothing
    assert [(r.path, r.headers.get("authorization")) for r in target.requests] == [("/plain", None)]  # no .netrc


def test_explicit_proxy_is_used() -> None:
    with RecordingSite("127.0.0.1") as target, RecordingSite("127.0.0.2") as proxy:
        http_session(proxy=proxy.url).get(target.url + "via", timeout=5)
    assert [r.path for r in proxy.requests] == [target.url + "via"]
    assert target.requests == []


def test_very_verbose_log_names_each_request_without_query_or_secrets(caplog: pytest.LogCaptureFixture) -> None:
    """-vv: one DEBUG line per request (method, URL without query, status); tokens and NIKs masked."""
    import logging

    token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"
    with RecordingSite("127.0.0.1", {}) as site, caplog.at_level(logging.DEBUG, logger="scanner.net.session"):
        http_session().get(f"{site.url}warga/3201010101900001/{token}?api_key=rahasia-sekali", timeout=5)
    (line,) = [r.getMessage() for r in caplog.records if r.name == "scanner.net.session"]
    assert line.startswith("GET http://127.0.0.1:") and "-> 404" in line
    assert "3201010101900001" not in line and token not in line and "rahasia" not in line


def test_a_peer_dripping_its_headers_cannot_hold_a_request() -> None:
    """Security review 2026-12-06 (#9, header drip still open): each byte came before the read timeout, so
    the request waited for ever. Now it ends after 3 x the timeout (the hang detector allows far more)."""
    import threading
    import time

    import requests

    from fixtures.hostile.http import HeaderDripServer

    outcome: list[BaseException | None] = []

    def fetch(url: str) -> None:
        try:
            http_session().get(url, timeout=2, stream=True)
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    with HeaderDripServer(interval=0.1) as server:
        started = time.monotonic()
        worker = threading.Thread(target=fetch, args=(server.url,), daemon=True)
        worker.start()
        worker.join(60)
        elapsed = time.monotonic() - started
    assert not worker.is_alive(), "the request was still waiting for headers after 60 s"
    assert isinstance(outcome[0], requests.exceptions.ReadTimeout), outcome  # (a busy machine may miss a byte)
    assert "wall-clock" in str(outcome[0]) or elapsed < 6, (outcome, elapsed)


def test_the_deadline_caps_every_request() -> None:
    import requests

    from scanner.running import deadline

    with (RecordingSite("127.0.0.1", {"/": (200, {}, b"ok")}) as site, deadline.within(0),
          pytest.raises(requests.exceptions.ReadTimeout, match="time limit")):
        http_session().get(site.url, timeout=5)
    assert site.requests == []
