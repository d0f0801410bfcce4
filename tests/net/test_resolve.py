"""Resolved-address checks (security review 2026-12-06, section 3): each name is resolved once, a name
matched only by a wildcard may not lead to a private or local address the scope does not name, the
connection goes to the checked address (no DNS rebinding), politeness is keyed by the address, and a
global rate spaces connections to all services together. DNS answers are simulated; every connection
goes to loopback."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from fixtures.hostile.recording import RecordingSite
from scanner.net import resolve
from scanner.net.session import http_session
from scanner.net.urls import OutOfScope, gate
from scanner.politeness import HostGate, PolitenessPolicy, politeness_key
from scanner.scope import Scope

REAL = socket.getaddrinfo


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, list[str]]]:
    """Fake answers per name (consumed one per lookup, the last one repeats); IP literals resolve as usual."""
    answers: dict[str, list[str]] = {}

    def fake(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = str(host).lower().rstrip(".")
        if name in answers:
            queue = answers[name]
            ip = queue.pop(0) if len(queue) > 1 else queue[0]
            return REAL(ip, *args, **kwargs)
        return REAL(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    resolve._cache.clear()
    yield answers
    resolve._cache.clear()


def test_wildcard_name_resolving_to_a_private_address_is_refused(dns: dict[str, list[str]]) -> None:
    dns["meta.contoh.go.id"] = ["169.254.169.254"]
    dns["db.contoh.go.id"] = ["10.1.2.3"]
    scope = Scope(("*.contoh.go.id",))
    for name in ("meta.contoh.go.id", "db.contoh.go.id"):
        with pytest.raises(OutOfScope, match="private or local address"):
            gate(f"http://{name}/", scope)
    assert gate("http://meta.contoh.go.id/", Scope(("*.contoh.go.id", "169.254.0.0/16"))).host == "meta.contoh.go.id"
    assert gate("http://db.contoh.go.id/", Scope(("db.contoh.go.id",))).host == "db.contoh.go.id"  # named
    assert gate("http://db.contoh.go.id/", Scope(("*.contoh.go.id",), allow_private=True))
    assert gate("http://localhost:8080/", Scope(("localhost",))).host == "localhost"
    assert gate("http://127.0.0.1:8080/", Scope(("127.0.0.1",))).host == "127.0.0.1"


def test_the_connection_goes_to_the_address_that_was_checked(dns: dict[str, list[str]]) -> None:
    """The name answers 127.0.0.1 for the check, then 127.0.0.2 (DNS rebinding): 127.0.0.2 gets nothing."""
    for _ in range(20):
        inside = RecordingSite("127.0.0.1", default=(200, {}, b"inside")).start()
        try:
            outside = RecordingSite("127.0.0.2", port=inside.port, default=(200, {}, b"outside")).start()
        except OSError:
            inside.stop()
            continue
        break
    else:
        pytest.skip("no port free on both loopback addresses")
    try:
        dns["rebind.contoh.go.id"] = ["127.0.0.1", "127.0.0.2"]
        where = gate(f"http://rebind.contoh.go.id:{inside.port}/", Scope(("*.contoh.go.id", "127.0.0.1")))
        replies = [http_session().get(where.url, timeout=5).text for _ in range(2)]
    finally:
        inside.stop()
        outside.stop()
    assert replies == ["inside", "inside"] and outside.requests == []


def test_politeness_is_keyed_by_address(dns: dict[str, list[str]]) -> None:
    dns["vm.contoh.go.id"] = ["127.0.0.1"]
    assert politeness_key("vm.contoh.go.id", 80) == politeness_key("localhost", 80) == politeness_key("127.0.0.1", 80)


def test_global_rate_spaces_connections_to_every_service() -> None:
    slept: list[float] = []
    gate_ = HostGate(PolitenessPolicy(global_rate=10), sleep=slept.append)
    for port in range(20):
        with gate_.slot(politeness_key("127.0.0.1", 1000 + port)):
            pass
    assert sum(slept) >= 1.5  # 20 connections at 10 per second, each to another service
