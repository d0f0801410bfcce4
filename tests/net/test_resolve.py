"""Resolved-address checks (security review 2026-12-06, section 3): each name is resolved once, a name
matched only by a wildcard may not lead to a private or local address the scope does not name (HTTP,
database and TLS targets alike), every connection goes to the checked address (no DNS rebinding: HTTP,
the TLS probe's raw hellos, standard-library handshake and STARTTLS, the plain-HTTP sniff, the
reachability check, PyMySQL, libpq and the MySQL plaintext test), politeness is keyed by the address,
and a global rate spaces connections to all services together. DNS answers are simulated; every
connection goes to loopback."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import psycopg
import pymysql
import pytest

from fixtures.hostile.base import loopback_pair
from fixtures.hostile.recording import RecordingSite
from fixtures.hostile.rogue_db import RogueMySQL, RoguePostgres
from fixtures.hostile.tcp import GarbageServer
from scanner.dburl import DatabaseParams
from scanner.model import Target, TargetKind
from scanner.net import resolve
from scanner.net.reachability import silence
from scanner.net.session import http_session
from scanner.net.sniff import answers_plain_http
from scanner.net.urls import OutOfScope, gate
from scanner.probes.base import ProbeContext, ProbeInconclusive
from scanner.probes.database import drivers, mysql
from scanner.probes.database.connect import endpoint
from scanner.probes.database.probe import DatabaseProbe
from scanner.probes.tls.certificate import fetch_chain_stdlib
from scanner.probes.tls.probe import TlsProbe
from scanner.running.politeness import HostGate, PolitenessPolicy, politeness_key
from scanner.running.runner import observe
from scanner.running.scope import Scope

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


# -- TLS and database connections (security round 2, issue #24) -------------------------------------------------
REBIND = "rebind.contoh.go.id"
SCOPE = Scope(("*.contoh.go.id", "127.0.0.1"))


def _checked(dns: dict[str, list[str]]) -> None:
    """The name answers 127.0.0.1 to the check (resolved once here), then 127.0.0.2 to any fresh lookup."""
    dns[REBIND] = ["127.0.0.1", "127.0.0.2"]
    assert resolve.address(REBIND) == "127.0.0.1" and resolve.private_refusal(REBIND, SCOPE) is None


def _ctx(timeout: float = 1.0) -> ProbeContext:
    return ProbeContext(gate=HostGate(PolitenessPolicy(timeout_s=timeout)), scope=SCOPE)


def test_tls_connections_go_to_the_checked_address(dns: dict[str, list[str]]) -> None:
    """Raw ClientHellos, the standard-library handshake, the plain-HTTP sniff and the reachability check."""
    with loopback_pair(GarbageServer) as (inside, outside):
        _checked(dns)
        target = Target(TargetKind.URL, f"https://{REBIND}:{inside.port}/", options={"tls_timeout": 1})
        with pytest.raises(ProbeInconclusive, match="no TLS handshake"):
            TlsProbe().run(target, _ctx())
        raw = inside.connections
        chain, error = fetch_chain_stdlib(REBIND, inside.port, REBIND, 1.0)
        assert chain == [] and error and inside.connections == raw + 1
        assert answers_plain_http(REBIND, inside.port, 1.0) is False and inside.connections == raw + 2
        assert silence("https", REBIND, inside.port, 1.0) == "" and inside.connections == raw + 3
    assert raw >= 2 and outside.connections == 0


def test_starttls_and_mysql_connections_go_to_the_checked_address(dns: dict[str, list[str]]) -> None:
    with loopback_pair(RogueMySQL) as (inside, outside):
        _checked(dns)
        location = f"mysql://scanner@{REBIND}:{inside.port}/simpeg?sslmode=disable"
        tls = Target(TargetKind.DATABASE, location, options={"tls": True, "tls_timeout": 1})
        with pytest.raises(ProbeInconclusive):
            TlsProbe().run(tls, _ctx())  # STARTTLS: the greeting offers no TLS
        with pytest.raises(pymysql.err.OperationalError, match="Access denied"):
            drivers.mysql_connect(REBIND, inside.port, "scanner", "simpeg", "pw-1", DatabaseParams("disable"), 2)
        ctx = _ctx(2)
        ep = endpoint(Target(TargetKind.DATABASE, location, password="pw-2"), ctx)
        assert mysql.plaintext_connection(ep, ctx, {})["accepted"] is True
        facts = observe(DatabaseProbe(), Target(TargetKind.DATABASE, location, password="pw-3"), ctx)
        inside.settle()
    assert facts.status == "inconclusive" and "authentication failed" in facts.reason
    assert [login.password for login in inside.logins] == ["pw-1", "pw-3"]
    assert outside.connections == 0


def test_postgresql_connections_go_to_the_checked_address(dns: dict[str, list[str]]) -> None:
    with loopback_pair(RoguePostgres) as (inside, outside):
        _checked(dns)
        with pytest.raises(psycopg.OperationalError):
            drivers.pg_connect(REBIND, inside.port, "scanner", "simpeg", "pw-1", DatabaseParams("disable"), 2)
        inside.settle()
    assert [login.password for login in inside.logins] == ["pw-1"] and outside.connections == 0


def test_database_and_tls_targets_get_the_resolved_address_check(dns: dict[str, list[str]]) -> None:
    """A name matched only by a wildcard may not lead a database or TLS probe to a private address."""
    dns["db.contoh.go.id"] = ["127.0.0.1"]
    with RogueMySQL() as rogue:
        ctx = ProbeContext(gate=HostGate(PolitenessPolicy(timeout_s=1)), scope=Scope(("*.contoh.go.id",)))
        for probe, location in ((DatabaseProbe(), f"mysql://scanner@db.contoh.go.id:{rogue.port}/simpeg"),
                                (TlsProbe(), f"https://db.contoh.go.id:{rogue.port}/")):
            kind = TargetKind.DATABASE if location.startswith("mysql") else TargetKind.URL
            facts = observe(probe, Target(kind, location, password="pw"), ctx)
            assert facts.status == "inconclusive" and "private or local address" in facts.reason, facts.reason
        with pytest.raises(ProbeInconclusive, match="private or local address"):
            TlsProbe().run(Target(TargetKind.URL, f"https://db.contoh.go.id:{rogue.port}/"), ctx)
    assert rogue.connections == 0
