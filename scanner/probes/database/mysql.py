"""MySQL / MariaDB server observations (CIS MySQL 8.0 / MariaDB 10.11, see the research pack)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

from scanner.net import resolve, wire
from scanner.probes.base import ProbeContext, SubStatus
from scanner.probes.database.checks import LOCAL_HOSTS, guarded, plaintext_verdict_from_error
from scanner.probes.database.connect import Endpoint
from scanner.running.politeness import politeness_key

VARIABLES = ("require_secure_transport", "have_ssl", "have_openssl", "tls_version", "local_infile", "bind_address",
             "version", "version_comment", "default_authentication_plugin", "old_passwords", "secure_auth",
             "skip_networking", "general_log", "log_warnings")
_MARIADB_ACCOUNTS = (
    "SELECT u.User, u.Host, u.plugin, u.authentication_string, u.Super_priv, u.ssl_type, u.is_role, "
    "JSON_VALUE(g.Priv, '$.account_locked'), JSON_EXTRACT(g.Priv, '$.auth_or') "
    "FROM mysql.user u JOIN mysql.global_priv g ON g.User = u.User AND g.Host = u.Host"
)
_MYSQL_ACCOUNTS = (
    "SELECT User, Host, plugin, authentication_string, Super_priv, ssl_type, 'N', account_locked, NULL "
    "FROM mysql.user"
)
_NO_PASSWORD_PLUGINS = frozenset({"", "mysql_native_password", "mysql_old_password", "sha256_password",
                                  "caching_sha2_password"})


def is_mariadb(conn: Connection) -> bool:
    return "mariadb" in str(conn.execute(text("SELECT VERSION()")).scalar() or "").lower()


def _variables(conn: Connection) -> dict[str, Any]:
    rows = conn.execute(text("SHOW GLOBAL VARIABLES"))
    found = {str(name).lower(): value for name, value in rows if str(name).lower() in VARIABLES}
    return {name: found.get(name) for name in VARIABLES}


def _session_tls(conn: Connection) -> dict[str, Any]:
    query = text("SHOW SESSION STATUS WHERE Variable_name IN ('Ssl_version', 'Ssl_cipher')")
    rows: dict[str, Any] = {str(k): v for k, v in conn.execute(query)}
    version = rows.get("Ssl_version") or None
    return {"encrypted": bool(version), "version": version, "cipher": rows.get("Ssl_cipher") or None}


def _accounts(conn: Connection, mariadb: bool) -> dict[str, Any]:
    accounts = []
    for user, host, plugin, auth, super_priv, ssl_type, is_role, locked, auth_or in conn.execute(
        text(_MARIADB_ACCOUNTS if mariadb else _MYSQL_ACCOUNTS)
    ):
        if str(is_role or "N").upper() == "Y":
            continue
        alternatives = str(auth_or or "")
        socket_alt = "unix_socket" in alternatives or plugin in ("unix_socket", "auth_socket")
        accounts.append({
            "user": user, "host": host, "account": f"'{user}'@'{host}'", "plugin": plugin or "",
            "empty_password": (plugin or "") in _NO_PASSWORD_PLUGINS and not auth and not socket_alt,
            "socket_auth": socket_alt,
            "locked": str(locked).lower() in ("true", "1", "y"),
            "anonymous": user == "",
            "remote": host not in LOCAL_HOSTS,
            "wildcard_host": "%" in str(host),
            "super": str(super_priv).upper() == "Y",
            "ssl_type": ssl_type or "",
        })
    return {"accounts": accounts}


def _test_databases(conn: Connection) -> dict[str, Any]:
    rows = conn.execute(text(
        "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA "
        "WHERE SCHEMA_NAME = 'test' OR SCHEMA_NAME LIKE 'test\\_%'"
    ))
    return {"databases": sorted(str(r[0]) for r in rows)}


def _test_grants(conn: Connection) -> dict[str, Any]:
    rows = conn.execute(text("SELECT Db, User, Host FROM mysql.db WHERE Db = 'test' OR Db LIKE 'test\\\\_%'"))
    return {"grants": [{"database": db, "user": user, "host": host} for db, user, host in rows]}


# what the plaintext test says it is: a fresh, unknown user each time, with no password
_TEST_USER = "pindai-tls-test-"
_TEST_FLAGS = (wire.CLIENT_PROTOCOL_41 | wire.CLIENT_SECURE_CONNECTION | wire.CLIENT_LONG_PASSWORD
               | wire.CLIENT_PLUGIN_AUTH)  # never CLIENT_LOCAL_FILES, CLIENT_CONNECT_WITH_DB or CLIENT_SSL
_COM_QUIT = b"\x01"


@dataclass(frozen=True)
class _Attempt:
    """What one login without TLS, as an unknown user with no password, was answered."""

    offers_tls: bool
    outcome: str = ""  # "logged-in", "refused" (insecure transport), "denied" (authentication), "other"
    answer: str = ""


def _plaintext_attempt(host: str, port: int, timeout: float) -> _Attempt:
    """Read the greeting; if it offers TLS, log in without TLS as a random user with an empty password."""
    with resolve.connect(host, port, timeout) as sock:
        sock.settimeout(timeout)
        sequence, payload = wire.read_mysql_packet(sock)
        greeting = wire.parse_greeting(payload)
        if not greeting.offers_tls:
            return _Attempt(False)
        user = _TEST_USER + secrets.token_hex(4)
        login = wire.handshake_response(_TEST_FLAGS, user, b"", greeting.plugin or "mysql_native_password")
        sock.sendall(wire.mysql_packet(sequence + 1, login))
        _, answer = wire.read_mysql_packet(sock)
        if answer[:1] == b"\x00":
            sock.sendall(wire.mysql_packet(0, _COM_QUIT))
            return _Attempt(True, "logged-in", "OK")
        if answer[:1] != b"\xff":  # an auth switch or more auth data: authentication goes on without TLS
            return _Attempt(True, "denied", "the server went on with authentication")
        code, message = wire.mysql_error(answer)
        said = f"{code} {message}"[:300]
        verdict = plaintext_verdict_from_error(message)
        if verdict is None and code in (1045, 1698):  # ER_ACCESS_DENIED_ERROR, ER_ACCESS_DENIED_NO_PASSWORD_ERROR
            verdict = False
        outcome = "refused" if verdict or code == 3159 else ("denied" if verdict is False else "other")
        return _Attempt(True, outcome, said)


def _plaintext_verdict(attempt: _Attempt, server: dict[str, Any]) -> dict[str, Any]:
    """Whether logins without TLS are accepted, from the attempt and what the TLS session read.

    MariaDB (and MySQL for a wrong password) refuse insecure transport only after authentication,
    with "Access denied": for an unknown user that answer says nothing about the transport, so
    ``require_secure_transport`` (read over the probe's TLS session) decides.
    """
    ok = {"status": SubStatus.OK, "attempted": True}
    if not attempt.offers_tls:
        return {**ok, "accepted": True,
                "detail": "the server does not offer TLS (no CLIENT_SSL in its greeting): every login is without TLS"}
    if attempt.outcome == "logged-in":
        return {**ok, "accepted": True,
                "detail": "an unknown user with no password was let in without TLS (an anonymous account)"}
    if attempt.outcome == "refused":
        return {**ok, "accepted": False, "detail": f"a login without TLS was refused: {attempt.answer}"}
    if server.get("session_tls", {}).get("encrypted") is False:
        return {**ok, "accepted": True, "detail": "the probe's own login (sslmode=disable) was let in without TLS"}
    variables = server.get("variables", {})
    required = str(variables.get("require_secure_transport") or "").upper() if variables.get("status") == "ok" else ""
    tried = f"a login without TLS as an unknown user with no password was answered: {attempt.answer}"
    if attempt.outcome == "denied" and required in ("ON", "1"):
        return {**ok, "accepted": False, "detail": f"require_secure_transport = ON (read over TLS); {tried}"}
    if attempt.outcome == "denied" and required in ("OFF", "0"):
        return {**ok, "accepted": True,
                "detail": f"require_secure_transport = OFF (read over TLS): logins without TLS reach authentication; "
                          f"{tried}"}
    return {"status": SubStatus.INCONCLUSIVE, "attempted": True,
            "reason": f"{tried}; require_secure_transport could not be read, so whether TLS is required is unknown"
            if attempt.outcome == "denied" else tried}


def plaintext_connection(ep: Endpoint, ctx: ProbeContext, server: dict[str, Any]) -> dict[str, Any]:
    """Black-box test: does the server accept a login without TLS? No credential is sent.

    The greeting says whether TLS is offered at all; then one login without TLS as a random,
    unknown user with an empty password shows whether the server refuses insecure transport
    (error 3159) or goes on to authenticate; ``server`` holds what the probe's own (TLS) session
    read, for the answers that cannot tell (see ``_plaintext_verdict``).
    """
    try:
        with ctx.gate.slot(politeness_key(ep.host, ep.port)):
            attempt = _plaintext_attempt(ep.host, ep.port or 3306, ctx.timeout)
    except (OSError, ValueError) as exc:
        return {"status": SubStatus.INCONCLUSIVE, "attempted": True,
                "reason": f"no login without TLS could be tried: {type(exc).__name__}: {exc}"[:300]}
    return _plaintext_verdict(attempt, server)


def server_facts(conn: Connection, ep: Endpoint, mariadb: bool) -> dict[str, Any]:
    """MySQL/MariaDB checks over the probe's session; each is ``ok`` or ``inconclusive`` on its own.

    ``plaintext_connection`` needs a second connection and is added by the probe afterwards.
    """
    return {
        "variables": guarded(lambda: _variables(conn), ep),
        "session_tls": guarded(lambda: _session_tls(conn), ep),
        "accounts": guarded(lambda: _accounts(conn, mariadb), ep),
        "test_databases": guarded(lambda: _test_databases(conn), ep),
        "test_grants": guarded(lambda: _test_grants(conn), ep),
    }


def version(conn: Connection) -> str:
    return str(conn.execute(text("SELECT VERSION()")).scalar() or "")


def prepare(conn: Connection, mariadb: bool) -> None:
    """Read-only session with a statement timeout (best effort)."""
    statements = ["SET SESSION TRANSACTION READ ONLY"]
    statements.append("SET SESSION max_statement_time = 30" if mariadb else "SET SESSION max_execution_time = 30000")
    for sql in statements:
        try:
            conn.execute(text(sql))
        except Exception:
            continue
