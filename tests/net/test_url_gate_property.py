"""Property: the host the URL gate approves is the host requests connects to, or the URL is refused.

The same holds for database URLs: whatever their query says, the database probe connects to the
host the scope approved or to nothing (rogue PostgreSQL servers on 127.0.0.1 and 127.0.0.2).

Listeners on 127.0.0.1, 127.0.0.3 and ::1 (in scope) and 127.0.0.2 (out of scope) share one
port and answer with their own address. Hypothesis glues together backslashes, userinfo, IDNA
and fullwidth hosts, IPv6 literals, percent-encoding and control characters; every URL the
gate approves is fetched, and the listener that answers must be the approved host.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
import requests
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from fixtures.hostile.recording import RecordingSite
from fixtures.hostile.rogue_db import RoguePostgres, loopback_pair
from scanner.model import Target
from scanner.net.session import http_session
from scanner.net.urls import UnsafeURL, gate
from scanner.probes.base import ProbeContext
from scanner.probes.database.probe import DatabaseProbe
from scanner.running.politeness import HostGate, PolitenessPolicy
from scanner.running.runner import observe
from scanner.running.scope import Scope
from scanner.targets import TargetError, parse_target

FULLWIDTH = "\uff11\uff12\uff17.\uff10.\uff10.\uff12"  # 127.0.0.2 in fullwidth digits
USERINFO = ["", "user@", "user:pw@", "127.0.0.2@", "127.0.0.2:<P>\\@", "127.0.0.2:<P>%5C@", "127.0.0.2\\@",
            "127.0.0.1@", "[::1]@", "@"]
HOSTS = ["127.0.0.1", "127.0.0.2", "127.0.0.3", "[::1]", "[::ffff:127.0.0.2]", FULLWIDTH, "127%2e0.0.2",
         "127。0。0。2", "%31%32%37.0.0.2", "0x7f.0.0.2", "2130706434", "0177.0.0.2", "127.2",
         "ⓛocalhost", "bücher.example", "[x]", ""]
PORTS = ["", ":<P>", ":0<P>", ":<P>\\@127.0.0.2:<P>", ":<P>@127.0.0.2:<P>", ":<P>#@127.0.0.2:<P>"]
PATHS = ["", "x", "%5C", "%40127.0.0.2", "?q=@127.0.0.2:<P>", "#@127.0.0.2", "a/../b", "%2e%2e/", "%00", "ä", ";@x"]
PIECES = [
    "127.0.0.1", "127.0.0.2", "127.0.0.3", "[::1]", "[::ffff:127.0.0.2]", ":<P>", ":0<P>", "@", "\\", "/", "//",
    "%5C", "%5c", "%40", "%2e", "%2E", "%00", "%0a", "#", "?", ":", ".", "[", "]", "user", "user:pw@", "127.0.0.2@",
    "127.0.0.2:<P>\\@", "\t", "\n", "\r", "\x00", "\x7f", " ", "bücher.example", "xn--bcher-kva.example",
    FULLWIDTH, "127%2e0.0.2", "127。0。0。2", "0x7f.0.0.2", "2130706434", "ⓛocalhost", "localhost",
]


def _http(*parts: str) -> str:
    return "http://" + "".join(parts)


def _ipv6() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as sock:
            sock.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def listeners() -> Iterator[dict[str, RecordingSite]]:
    hosts = ["127.0.0.1", "127.0.0.2", "127.0.0.3"] + (["::1"] if _ipv6() else [])
    for _ in range(20):  # find one port free on every address
        first = RecordingSite(hosts[0]).start()
        sites = {hosts[0]: first}
        try:
            for host in hosts[1:]:
                sites[host] = RecordingSite(host, port=first.port).start()
        except OSError:
            for site in sites.values():
                site.stop()
            continue
        for host, site in sites.items():
            site.default = (200, {}, host.encode())  # every path answers "who am I"
        yield sites
        for site in sites.values():
            site.stop()
        return
    pytest.skip("no port free on every loopback address")


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(
    st.tuples(st.sampled_from(USERINFO), st.sampled_from(["127.0.0.1", "127.0.0.3", "[::1]", "%31%32%37.0.0.1"]),
              st.sampled_from(PORTS), st.lists(st.sampled_from(PATHS), max_size=3))
    .map(lambda t: _http(*t[:3], "/", *t[3])),
    st.tuples(st.sampled_from(HOSTS), st.sampled_from([":<P>", ":0<P>", ""]),
              st.lists(st.sampled_from(PATHS), max_size=3)).map(lambda t: _http(*t[:2], "/", *t[2])),
    st.tuples(st.sampled_from(USERINFO), st.sampled_from(HOSTS), st.sampled_from(PORTS),
              st.lists(st.sampled_from(PIECES), max_size=4)).map(lambda t: _http(*t[:3], "/", *t[3])),
    st.tuples(st.sampled_from(["http://", "http:", "HTTP://", "http:\\\\"]),
              st.lists(st.sampled_from(PIECES), min_size=1, max_size=8)).map(lambda t: t[0] + "".join(t[1])),
))
@example("http://127.0.0.2:<P>\\@127.0.0.1:<P>/x")  # the redirect of issue 13
@example("http://127.0.0.1:<P>//127.0.0.2:<P>\\@127.0.0.1:<P>/x")  # its OpenAPI twin, joined
@example("http://127.0.0.2:<P>%5C@127.0.0.1:<P>/")
def test_approved_host_is_the_connected_host(listeners: dict[str, RecordingSite], spelled: str) -> None:
    port = listeners["127.0.0.1"].port
    url = spelled.replace("<P>", str(port))
    scope = Scope(tuple(h for h in listeners if h != "127.0.0.2"))
    try:
        where = gate(url, scope)
    except UnsafeURL as exc:
        event(f"refused: {type(exc).__name__}")
        return  # refused: nothing is sent
    assert where.host in listeners and where.host != "127.0.0.2", (url, where)
    if where.port != port:
        event("approved, other port")
        return  # a port nobody here listens on: the connection goes nowhere we could mistake
    try:
        reply = http_session().get(where.url, timeout=5)
    except requests.RequestException:
        event("approved, connection failed")
        return
    event(f"approved and answered by {where.host}")
    assert reply.text == where.host, f"{url!r}: approved {where.host}, answered by {reply.text}"
    assert listeners["127.0.0.2"].requests == [], url


# -- database URLs: the query may not route the connection (security review 2026-12-06, NEW-1) ----------------
DB_HOSTS = ["127.0.0.1", "127.0.0.2", "[::1]", "127.0.0.2@127.0.0.1", "localhost", "%31%32%37.0.0.2", "127.0.0.1.",
            "0x7f.0.0.2", ""]
DB_QUERY = ["host=127.0.0.2", "hostaddr=127.0.0.2", "HOST=127.0.0.2", "h%6Fst=127.0.0.2", "host+=127.0.0.2",
            "hostaddr%20=127.0.0.2", "port=1", "service=x", "passfile=/tmp/x", "sslmode=disable", "sslmode=require",
            "sslmode=prefer", "password=p", "password+=p", "options=-c%20x", "unix_socket=/tmp/x", "local_infile=1",
            "read_default_file=/etc/passwd", ";host=127.0.0.2", "a=1;host=127.0.0.2", "%00", "", "sslrootcert=/x"]


@pytest.fixture(scope="module")
def rogue_databases() -> Iterator[tuple[RoguePostgres, RoguePostgres]]:
    with loopback_pair(RoguePostgres) as pair:
        yield pair


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(["postgresql", "postgres", "postgresql+psycopg"]), st.sampled_from(DB_HOSTS),
       st.lists(st.sampled_from(DB_QUERY), max_size=4))
@example("postgresql", "127.0.0.1", ["hostaddr=127.0.0.2"])
@example("postgresql", "127.0.0.1", ["sslmode=disable", "host=127.0.0.2"])
def test_database_url_connects_only_to_the_approved_host(
        rogue_databases: tuple[RoguePostgres, RoguePostgres], scheme: str, host: str, query: list[str]) -> None:
    inside, outside = rogue_databases
    url = f"{scheme}://scanner@{host}:{inside.port}/simpeg" + (f"?{'&'.join(query)}" if query else "")
    try:
        target = parse_target(url, password_env="")
    except TargetError:
        event("refused by parse_target")
        return
    before = inside.connections
    ctx = ProbeContext(gate=HostGate(PolitenessPolicy(timeout_s=2)), scope=Scope(("127.0.0.1", "::1", "localhost")))
    facts = observe(DatabaseProbe(), Target.from_dict(target.to_dict()), ctx)  # as a worker receives it
    event(f"probe {facts.status}")
    assert outside.connections == 0, (url, facts.reason)
    if inside.connections > before:
        assert ctx.scope.allows(target.host), url
