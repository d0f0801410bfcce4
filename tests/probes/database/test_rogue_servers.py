"""Hostile database URLs and servers (security review 2026-12-06, NEW-1 and NEW-7).

A rogue PostgreSQL and a rogue MySQL record every password they receive (the MySQL one asks for
it in clear, and asks for a local file with ``LOAD DATA LOCAL``). The target URL's query may not
route the connection elsewhere (``?hostaddr=``, ``?host=``) nor open files (``?local_infile=``,
``?read_default_file=``, ``?unix_socket=``), libpq may not add a password from the environment or
``~/.pgpass``, the plaintext tests send no password, no password goes over a connection without TLS
or with an unverified certificate unless the URL allows it, and no file goes to a server that asks.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from fixtures.db.certs import make_self_signed
from fixtures.hostile.rogue_db import RogueMySQL, RoguePostgres, loopback_pair
from scanner.cli import main
from scanner.model import Target, TargetKind
from scanner.probes.base import ProbeContext
from scanner.probes.database import mysql
from scanner.probes.database.connect import endpoint
from scanner.probes.database.postgres import plaintext_connection
from scanner.probes.database.probe import DatabaseProbe
from scanner.running.politeness import HostGate, PolitenessPolicy
from scanner.running.runner import observe
from scanner.running.scope import Scope
from scanner.targets import TargetError, parse_target

SECRET = "allowed-secret-Db-Pa55"


ROGUES: dict[str, type[RoguePostgres | RogueMySQL]] = {"postgresql": RoguePostgres, "mysql": RogueMySQL}


@pytest.fixture
def pair() -> Iterator[tuple[RoguePostgres, RoguePostgres]]:
    """Rogue servers on 127.0.0.1 (in scope) and 127.0.0.2 (out of scope), on one port."""
    with loopback_pair(RoguePostgres) as rogues:
        yield rogues


@pytest.fixture
def mysql_pair() -> Iterator[tuple[RogueMySQL, RogueMySQL]]:
    with loopback_pair(RogueMySQL) as rogues:
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
])
def test_url_parameters_never_route_the_connection(pair: tuple[RoguePostgres, RoguePostgres], template: str,
                                                   parameter: str) -> None:
    inside, outside = pair
    status, reason = _observe(template.format(port=inside.port))
    assert status == "inconclusive" and repr(parameter) in reason, reason
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


@pytest.mark.parametrize("engine", ["postgresql", "mysql"])
def test_no_password_without_tls_unless_the_url_allows_it(engine: str, request: pytest.FixtureRequest) -> None:
    inside, _ = request.getfixturevalue("pair" if engine == "postgresql" else "mysql_pair")
    for query in ("", "?sslmode=require", "?sslmode=verify-ca", "?sslmode=verify-full"):
        status, reason = _observe(f"{engine}://scanner@127.0.0.1:{inside.port}/simpeg{query}")
        assert status == "inconclusive" and "TLS not offered" in reason and "credentials withheld" in reason, reason
    inside.settle()
    assert [login.password for login in inside.logins if login.password] == []
    if engine == "mysql":
        assert inside.logins == []  # PyMySQL stops before its handshake response: not even the user name
    _observe(f"{engine}://scanner@127.0.0.1:{inside.port}/simpeg?sslmode=disable")
    inside.settle()
    assert SECRET in [login.password for login in inside.logins]  # the operator's explicit choice


@pytest.fixture(params=["postgresql", "mysql"])
def tls_rogue(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, RoguePostgres | RogueMySQL, Path]]:
    """A rogue PostgreSQL or MySQL offering TLS with a self-signed certificate."""
    crt, key = make_self_signed(tmp_path, "rogue.invalid")
    with ROGUES[request.param]("127.0.0.1", certificate=(crt, key)) as rogue:
        yield request.param, rogue, crt


def test_unverified_certificate_gets_no_password(tls_rogue: tuple[str, RoguePostgres | RogueMySQL, Path]) -> None:
    engine, rogue, _ = tls_rogue
    status, reason = _observe(f"{engine}://scanner@127.0.0.1:{rogue.port}/simpeg")
    assert status == "inconclusive" and "certificate not verified" in reason, reason
    rogue.settle()
    assert [login for login in rogue.logins if login.password] == []


def test_pinned_certificate_gets_the_password_over_tls(tls_rogue: tuple[str, RoguePostgres | RogueMySQL, Path]) -> None:
    engine, rogue, crt = tls_rogue
    _observe(f"{engine}://scanner@127.0.0.1:{rogue.port}/simpeg?sslmode=verify-ca&sslrootcert={crt}")
    rogue.settle()
    assert [(login.tls, login.password) for login in rogue.logins] == [(True, SECRET)]


@pytest.fixture
def pg_tls_rogue(tmp_path: Path) -> Iterator[RoguePostgres]:
    crt, key = make_self_signed(tmp_path, "rogue.invalid")
    with RoguePostgres("127.0.0.1", certificate=(crt, key)) as rogue:
        yield rogue


@pytest.fixture
def mysql_tls_rogue(tmp_path: Path) -> Iterator[RogueMySQL]:
    crt, key = make_self_signed(tmp_path, "rogue.invalid")
    with RogueMySQL("127.0.0.1", certificate=(crt, key)) as rogue:
        yield rogue


def test_plaintext_test_reports_acceptance_without_a_password(pg_tls_rogue: RoguePostgres) -> None:
    rogue = pg_tls_rogue
    ctx = ProbeContext(gate=HostGate(PolitenessPolicy(timeout_s=2)))
    ep = endpoint(Target(TargetKind.DATABASE, f"postgresql://scanner@127.0.0.1:{rogue.port}/simpeg?sslmode=require",
                         password=SECRET), ctx)
    result = plaintext_connection(ep, ctx)
    assert result["status"] == "ok" and result["accepted"] is True, result
    rogue.settle()  # the rogue records the login when the client has hung up
    assert [login.password for login in rogue.logins] == [None]


# -- MySQL / MariaDB ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("query", "parameter"), [
    ("host=127.0.0.2&local_infile=1", "host"),
    ("local_infile=1", "local_infile"),
    ("local_infile=1&read_default_file=/etc/passwd", "local_infile"),
    ("read_default_file=/etc/passwd", "read_default_file"),
    ("unix_socket=/run/mysqld/mysqld.sock", "unix_socket"),
    ("sslmode=disable&init_command=SELECT%201", "init_command"),
])
def test_mysql_url_parameters_are_refused(mysql_pair: tuple[RogueMySQL, RogueMySQL], query: str,
                                          parameter: str) -> None:
    inside, outside = mysql_pair
    status, reason = _observe(f"mysql://scanner@127.0.0.1:{inside.port}/simpeg?{query}")
    assert status == "inconclusive" and repr(parameter) in reason, reason
    assert outside.connections == 0 and inside.logins == [] and inside.infile_requests == 0


def test_mysql_plaintext_test_sends_no_credential(mysql_tls_rogue: RogueMySQL) -> None:
    """The rogue offers TLS; the plaintext test logs in without TLS as an unknown user, with no password,
    and stops when the rogue asks for the password in clear."""
    rogue = mysql_tls_rogue
    ctx = ProbeContext(gate=HostGate(PolitenessPolicy(timeout_s=2)))
    ep = endpoint(Target(TargetKind.DATABASE, f"mysql://scanner@127.0.0.1:{rogue.port}/simpeg?sslmode=require",
                         password=SECRET), ctx)
    on = {"variables": {"status": "ok", "require_secure_transport": "ON"}, "session_tls": {"encrypted": True}}
    off = {"variables": {"status": "ok", "require_secure_transport": "OFF"}, "session_tls": {"encrypted": True}}
    assert mysql.plaintext_connection(ep, ctx, on)["accepted"] is False
    assert mysql.plaintext_connection(ep, ctx, off)["accepted"] is True
    assert mysql.plaintext_connection(ep, ctx, {})["status"] == "inconclusive"
    rogue.settle()
    assert len(rogue.logins) == 3
    for login in rogue.logins:
        assert login.tls is False and login.user.startswith("pindai-tls-test-") and login.user != "scanner"
        assert login.auth_response == b"" and login.password is None and login.local_files is False


def test_mysql_plaintext_test_against_a_server_without_tls(mysql_pair: tuple[RogueMySQL, RogueMySQL]) -> None:
    inside, _ = mysql_pair
    ctx = ProbeContext(gate=HostGate(PolitenessPolicy(timeout_s=2)))
    ep = endpoint(Target(TargetKind.DATABASE, f"mysql://scanner@127.0.0.1:{inside.port}/simpeg?sslmode=disable",
                         password=SECRET), ctx)
    result = mysql.plaintext_connection(ep, ctx, {})
    assert result["accepted"] is True and "does not offer TLS" in result["detail"], result
    inside.settle()
    assert inside.logins == []  # the greeting said it all: nothing was sent


def test_mysql_local_infile_request_gets_nothing(tmp_path: Path) -> None:
    canary = tmp_path / "environ"
    canary.write_text("WORKER_DB_PASSWORD=worker-secret-NOT-ALLOWED\n")
    with RogueMySQL("127.0.0.1", accept=True, infile=str(canary)) as rogue:
        status, reason = _observe(f"mysql://scanner@127.0.0.1:{rogue.port}/simpeg?sslmode=disable")
        rogue.settle()
    assert status == "inconclusive", reason
    assert rogue.infile_requests == 1, rogue.queries  # the rogue did ask
    assert rogue.infile_data == []
    assert [login.local_files for login in rogue.logins] == [False]


def test_mysql_plaintext_test_sees_insecure_transport_refused(tmp_path: Path) -> None:
    crt, key = make_self_signed(tmp_path, "rogue.invalid")
    with RogueMySQL(certificate=(crt, key), require_secure_transport=True) as rogue:
        ctx = ProbeContext(gate=HostGate(PolitenessPolicy(timeout_s=2)))
        ep = endpoint(Target(TargetKind.DATABASE, f"mysql://scanner@127.0.0.1:{rogue.port}/simpeg", password=SECRET),
                      ctx)
        result = mysql.plaintext_connection(ep, ctx, {})  # no need for require_secure_transport from the session
        rogue.settle()
    assert result["status"] == "ok" and result["accepted"] is False and "3159" in result["detail"], result
    assert [(login.user[:16], login.password) for login in rogue.logins] == [("pindai-tls-test-", None)]
