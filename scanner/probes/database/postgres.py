"""PostgreSQL server observations (CIS PostgreSQL 15/16 sections 3-6, see the research pack)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

from scanner.dburl import DatabaseParams
from scanner.probes.base import ProbeContext, SubStatus
from scanner.probes.database import drivers
from scanner.probes.database.checks import guarded, plaintext_verdict_from_error
from scanner.probes.database.connect import Endpoint, short_error
from scanner.running.politeness import politeness_key

SETTINGS = ("ssl", "ssl_min_protocol_version", "password_encryption", "log_connections", "log_disconnections",
            "log_statement", "listen_addresses", "shared_preload_libraries")


def _settings(conn: Connection) -> dict[str, Any]:
    rows = conn.execute(text("SELECT name, setting FROM pg_settings WHERE name = ANY(:names)"),
                        {"names": list(SETTINGS)})
    found = {name: setting for name, setting in rows}
    return {name: found.get(name) for name in SETTINGS}


def _session_tls(conn: Connection) -> dict[str, Any]:
    row = conn.execute(text("SELECT ssl, version, cipher FROM pg_stat_ssl WHERE pid = pg_backend_pid()")).first()
    if row is None:
        return {"encrypted": False, "version": None, "cipher": None}
    return {"encrypted": bool(row[0]), "version": row[1], "cipher": row[2]}


def _hba_rules(conn: Connection) -> dict[str, Any]:
    rows = conn.execute(text(
        "SELECT line_number, type, database, user_name, address, netmask, auth_method, error "
        "FROM pg_hba_file_rules ORDER BY line_number"
    ))
    rules = [
        {"line": line, "type": typ, "database": list(db or []), "user": list(users or []), "address": address,
         "netmask": netmask, "auth_method": method, "error": error}
        for line, typ, db, users, address, netmask, method, error in rows
    ]
    return {"rules": rules}


def _roles(conn: Connection) -> dict[str, Any]:
    rows = conn.execute(text(
        "SELECT rolname, rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls, rolcanlogin "
        "FROM pg_roles WHERE rolname NOT LIKE 'pg\\_%' ORDER BY rolname"
    ))
    roles = [
        {"name": name, "superuser": su, "createrole": cr, "createdb": cd, "replication": rep, "bypassrls": by,
         "login": login}
        for name, su, cr, cd, rep, by, login in rows
    ]
    superusers = [r["name"] for r in roles if r["superuser"]]
    return {"roles": roles, "superusers": superusers, "superuser_count": len(superusers),
            "login_superuser_count": sum(1 for r in roles if r["superuser"] and r["login"])}


def _password_storage(conn: Connection) -> dict[str, Any]:
    rows = conn.execute(text(
        "SELECT rolname, CASE WHEN rolpassword IS NULL THEN 'none' "
        "WHEN rolpassword LIKE 'SCRAM-SHA-256$%' THEN 'scram-sha-256' "
        "WHEN rolpassword ~ '^md5[0-9a-f]{32}$' THEN 'md5' ELSE 'other' END "
        "FROM pg_authid WHERE rolcanlogin ORDER BY rolname"
    ))
    return {"roles": [{"name": name, "storage": storage} for name, storage in rows]}


def _public_grants(conn: Connection, personal: dict[str, dict[str, Any]]) -> dict[str, Any]:
    rows = conn.execute(text(
        "SELECT n.nspname, c.relname, a.privilege_type "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, LATERAL aclexplode(c.relacl) a "
        "WHERE a.grantee = 0 AND c.relkind IN ('r', 'p', 'v', 'm') "
        "AND n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2, 3"
    ))
    grants: dict[str, dict[str, Any]] = {}
    for schema, table, privilege in rows:
        key = table if schema == "public" else f"{schema}.{table}"
        info = personal.get(key, {})
        entry = grants.setdefault(key, {
            "table": key, "privileges": [], "personal_data": bool(info),
            "kinds": info.get("kinds", []), "sensitivity": info.get("sensitivity", "none"),
        })
        entry["privileges"].append(privilege)
    return {"grants": list(grants.values())}


def plaintext_connection(ep: Endpoint, ctx: ProbeContext) -> dict[str, Any]:
    """Black-box test: does the server accept a connection without TLS?

    No password is sent: a server that goes on to ask for one (or lets the user in) has
    accepted the plaintext transport; ``hostssl``-only rules refuse before authentication.
    """
    try:
        with ctx.gate.slot(politeness_key(ep.host, ep.port)):
            drivers.pg_connect(ep.host, ep.port, ep.user, ep.database, "", DatabaseParams("disable"), ctx.timeout,
                               application_name="pindai-tls-test").close()
    except Exception as exc:
        message = short_error(exc, ep)
        if "no password supplied" in message.lower():
            return {"status": SubStatus.OK, "attempted": True, "accepted": True,
                    "detail": "the server asked for a password over a connection without TLS (none was sent)"}
        refused = plaintext_verdict_from_error(message)
        if refused is None:
            return {"status": SubStatus.INCONCLUSIVE, "reason": message, "attempted": True}
        return {"status": SubStatus.OK, "attempted": True, "accepted": not refused, "detail": message}
    return {"status": SubStatus.OK, "attempted": True, "accepted": True, "detail": "connected with sslmode=disable"}


def server_facts(conn: Connection, ep: Endpoint, personal_tables: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """PostgreSQL server checks over the probe's session; each is ``ok`` or ``inconclusive`` on its own.

    ``plaintext_connection`` needs a second connection and is added by the probe afterwards.
    """
    return {
        "settings": guarded(lambda: _settings(conn), ep),
        "session_tls": guarded(lambda: _session_tls(conn), ep),
        "hba_rules": guarded(lambda: _hba_rules(conn), ep),
        "roles": guarded(lambda: _roles(conn), ep),
        "password_storage": guarded(lambda: _password_storage(conn), ep),
        "public_grants": guarded(lambda: _public_grants(conn, personal_tables), ep),
    }


def version(conn: Connection) -> str:
    return str(conn.execute(text("SHOW server_version")).scalar() or "")


def prepare(conn: Connection) -> None:
    """Read-only session with a statement timeout (best effort)."""
    for sql in ("SET statement_timeout = '30s'", "SET default_transaction_read_only = on"):
        try:
            conn.execute(text(sql))
        except Exception:
            continue
