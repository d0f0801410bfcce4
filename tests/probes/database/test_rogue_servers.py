"""Hostile database URLs and servers (security review 2026-12-06, NEW-1 and NEW-7).

A rogue PostgreSQL records every password it receives. The target URL's query may not route the
connection elsewhere (``?hostaddr=``, ``?host=``), libpq may not add a password from the
environment or ``~/.pgpass``, the plaintext test sends no password, and no password goes over a
connection without TLS or with an unverified certificate unless the URL allows it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from fixtures.db.certs import make_self_signed
from fixtures.hostile.rogue_db import RoguePostgres, loopback_pair
from scanner.cli import main
from scanner.model import Target, TargetKind
from scanner.politeness import HostGate, PolitenessPolicy
from scanner.probes.base import ProbeContext
from scanner.probes.database.connect import endpoint
from scanner.probes.database.postgres import plaintext_connection
from scanner.probes.database.probe import DatabaseProbe
from scanner.runner import observe
from scanner.scope import Scope
from scanner.targets import TargetError, parse_target

SECRET = "allowed-secret-Db-Pa55"


@pytest.fixture
def pair() -> Iterator[tuple[RoguePostgres, RoguePostgres]]:
    """Rogue servers on 127.0.0.1 (in scope) and 127.0.0.2 (out of scope), on one port."""
    with loopback_pair(RoguePostgres) as rogues:
        yield rogues


def _observe(location: str, password: str = SECRET) -> tuple[str, str]:
    """Run the database probe as a worker does (a Target straight from a task, not parse_target)."""
    ctx = ProbeContext(gate=HostGate(PolitenessPolicy(timeout_s=2)), scope=Scope(("127.0.0.1",)))
    facts = observe(DatabaseProbe(), Target(TargetKind.DATABASE, location, password=password), ctx)
    return facts.status, facts.reason


@pytest.mark.parametrize(("template", "parameter"), [
    ("postgresql://scanner@127.0.0.1:{port}/simpeg?hostaddr=127.0.0.2", "hostaddr"),
    ("postgresql://scanner@127.0.0.1:{port}/simpeg?host=127.0.0.2", "host"),
    ("postgresql://scanner@127.0.0.1:{port}/simpeg?sslmode=disable&host=127.0.0.2", "host"),
    ("mysql://scanner@127.0.0.1:{port}/simpeg?host=127.0.0.2&local_infile=1", "host"),
    ("mysql://scanner@127.0.0.1:{port}/simpeg?local_infile=1&read_default_file=/etc/passwd", "local_infile"),
])
def test_url_parameters_never_route_the_connection(pair: tuple[RoguePostgres, RoguePostgres], template: str,
                                                   parameter: str) -> None:
    inside, outside = pair
    status, reason = _observe(template.format(port=inside.port))
    # (a MySQL client waits for a greeting the rogue PostgreSQL never sends: the reachability check may stop first)
    assert status == "inconclusive" and (repr(parameter) in reason or "silent service" in reason), reason
    assert outside.connections == 0 and outside.logins == []
    assert inside.logins == []  # refused before any connection


@pytest.mark.parametrize("query", ["hostaddr=127.0.0.2", "HOST=x", "service=prod", "passfile=/tmp/p",
                                   "sslmode=prefer", "sslpassword=k", "unix_socket=/tmp/s",
                                   "sslmode=require&sslmode=disable"])
def test_parse_target_refuses_parameters_it_does_not_understand(query: str) -> None:
    with pytest.raises(TargetError) as caught:
        parse_target(f"postgresql://u@127.0.0.1:5432/db?{query}")
    message = str(caught.value)
    assert query.split("=")[0] in message and ("tidak didukung" in message or "dua kali" in message)
    assert "=k" not in str(caught.value)  # a value is never echoed (sslpassword is a secret)


def test_cli_exits_2_naming_the_parameter() -> None:
    result = CliRunner().invoke(main, ["scan", "postgresql://u@127.0.0.1:1/db?hostaddr=127.0.0.2", "--no-store"])
    assert result.exit_code == 2, result.output
    assert "'hostaddr'" in result.output


def test_libpq_reads_no_password_from_the_environment(pair: tuple[RoguePostgres, RoguePostgres], tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    inside, _ = pair
    pgpass = tmp_path / "pgpass"
    pgpass.write_text("*:*:*:*:pgpass-secret-NOT-ALLOWED\n")
    pgpass.chmod(0o600)
    monkeypatch.setenv("PGPASSWORD", "pg-env-secret-NOT-ALLOWED")
    monkeypatch.setenv("PGPASSFILE", str(pgpass))
    monkeypatch.setenv("PGHOSTADDR", "127.0.0.2")
    _observe(f"postgresql://scanner@127.0.0.1:{inside.port}/simpeg?sslmode=disable", password="")
    sent = [login.password for login in inside.logins]
    assert inside.connections >= 1
    assert not any(p and "NOT-ALLOWED" in p for p in sent), sent
    assert pair[1].connections == 0


def test_no_password_without_tls_unless_the_url_allows_it(pair: tuple[RoguePostgres, RoguePostgres]) -> None:
    inside, _ = pair
    for query in ("", "?sslmode=require", "?sslmode=verify-full"):
        status, reason = _observe(f"postgresql://scanner@127.0.0.1:{inside.port}/simpeg{query}")
        assert status == "inconclusive" and "TLS not offered" in reason and "credentials withheld" in reason, reason
    assert [login.password for login in inside.logins if login.password] == []
    _observe(f"postgresql://scanner@127.0.0.1:{inside.port}/simpeg?sslmode=disable")
    assert SECRET in [login.password for login in inside.logins]  # the operator's explicit choice


@pytest.fixture
def tls_rogue(tmp_path: Path) -> Iterator[tuple[RoguePostgres, Path]]:
    crt, key = make_self_signed(tmp_path, "rogue.invalid")
    with RoguePostgres("127.0.0.1", certificate=(crt, key)) as rogue:
        yield rogue, crt


def test_unverified_certificate_gets_no_password(tls_rogue: tuple[RoguePostgres, Path]) -> None:
    rogue, _ = tls_rogue
    status, reason = _observe(f"postgresql://scanner@127.0.0.1:{rogue.port}/simpeg")
    assert status == "inconclusive" and "certificate not verified" in reason, reason
    assert [login for login in rogue.logins if login.password] == []


def test_pinned_certificate_gets_the_password_over_tls(tls_rogue: tuple[RoguePostgres, Path]) -> None:
    rogue, crt = tls_rogue
    _observe(f"postgresql://scanner@127.0.0.1:{rogue.port}/simpeg?sslmode=verify-ca&sslrootcert={crt}")
    assert [(login.tls, login.password) for login in rogue.logins] == [(True, SECRET)]


def test_plaintext_test_reports_acceptance_without_a_password(tls_rogue: tuple[RoguePostgres, Path]) -> None:
    rogue, _ = tls_rogue
    ctx = ProbeContext(gate=HostGate(PolitenessPolicy(timeout_s=2)))
    ep = endpoint(Target(TargetKind.DATABASE, f"postgresql://scanner@127.0.0.1:{rogue.port}/simpeg?sslmode=require",
                         password=SECRET), ctx)
    result = plaintext_connection(ep, ctx)
    assert result["status"] == "ok" and result["accepted"] is True, result
    deadline = time.monotonic() + 10  # the rogue records the login when the client has hung up
    while not rogue.logins and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [login.password for login in rogue.logins] == [None]
