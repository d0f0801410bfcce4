"""MySQL / MariaDB server observations (CIS MySQL 8.0 / MariaDB 10.11, see the research pack)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

from scanner.dburl import DatabaseParams
from scanner.politeness import politeness_key
from scanner.probes.base import ProbeContext
from scanner.probes.database import drivers
from scanner.probes.database.checks import LOCAL_HOSTS, guarded, plaintext_verdict_from_error
from scanner.probes.database.connect import Endpoint, short_error

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


def plaintext_connection(ep: Endpoint, ctx: ProbeContext, session_encrypted: bool | None) -> dict[str, Any]:
    """Black-box test: does the server accept a login without TLS (``ssl_disabled=True``)?

    MariaDB answers "Access denied" both for ``REQUIRE SSL`` accounts and under
    ``require_secure_transport``; when the same credentials just logged in over TLS, that
    denial means the plaintext transport was refused.
    """
    try:
        with ctx.gate.slot(politeness_key(ep.host, ep.port)):
            drivers.mysql_connect(ep.host, ep.port, ep.user, ep.database, ep.password, DatabaseParams("disable"),
                                  ctx.timeout).close()
    except Exception as exc:
        message = short_error(exc, ep)
        refused = plaintext_verdict_from_error(message)
        if "access denied" in message.lower() and session_encrypted:
            refused = True
            message = f"login with the same credentials succeeded over TLS but was refused without TLS: {message}"
        if refused is None:
            return {"status": "inconclusive", "reason": message, "attempted": True}
        return {"status": "ok", "attempted": True, "accepted": not refused, "detail": message}
    return {"status": "ok", "attempted": True, "accepted": True, "detail": "logged in with TLS disabled"}


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
