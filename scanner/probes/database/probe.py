"""The ``database`` probe: personal-data columns and server hardening of a live database.

Facts are documented in ``docs/facts/database.md``. Sampled values are classified and
masked in memory; only masked examples and aggregate numbers reach the facts.
"""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from sqlalchemy.engine import Connection

from scanner.eol import server_version_record, software_facts
from scanner.model import Target, TargetKind
from scanner.probes.base import ProbeContext, ProbeInconclusive, record_limit
from scanner.probes.database import mysql, postgres
from scanner.probes.database.columns import ColumnRef, column_facts, credential_facts, settle_table
from scanner.probes.database.connect import Endpoint, QueryCounter, endpoint, make_engine, open_connection, short_error
from scanner.probes.database.sampling import TableInfo, reflect, sample

DEFAULT_SAMPLE_ROWS = 200
DEFAULT_MAX_TABLES = 500
_RANK = {"none": 0, "general": 1, "specific": 2}


class DatabaseProbe:
    """Observe a PostgreSQL, MySQL/MariaDB or SQLite database (read-only, bounded sampling)."""

    name = "database"

    def applies_to(self, target: Target) -> bool:
        return target.kind is TargetKind.DATABASE

    def run(self, target: Target, ctx: ProbeContext) -> dict[str, Any]:
        ep = endpoint(target, ctx)
        n = int(target.options.get("sample_rows", DEFAULT_SAMPLE_ROWS))
        max_tables = int(target.options.get("max_tables", DEFAULT_MAX_TABLES))
        seed = target.options.get("sample_seed")
        rng = random.Random(seed) if seed is not None else random.Random()
        counter = QueryCounter()
        engine = make_engine(ep, ctx.timeout)
        counter.attach(engine)
        try:
            with ctx.gate.slot(ep.host or "localhost"), open_connection(engine, ep) as raw:
                conn = raw.execution_options(isolation_level="AUTOCOMMIT")
                facts = self._observe(conn, ep, n, max_tables, rng)
        finally:
            engine.dispose()
        # a second, TLS-less login; made after the first connection is closed (no nested slots)
        if ep.engine == "postgresql":
            facts["server"]["plaintext_connection"] = postgres.plaintext_connection(ep, ctx)
        elif ep.engine == "mysql":
            encrypted = facts["server"].get("session_tls", {}).get("encrypted")
            facts["server"]["plaintext_connection"] = mysql.plaintext_connection(ep, ctx, encrypted)
        facts["cost"] = counter.summary()
        return facts

    def _observe(self, conn: Connection, ep: Endpoint, n: int, max_tables: int, rng: random.Random) -> dict[str, Any]:
        mariadb = ep.engine == "mysql" and mysql.is_mariadb(conn)
        flavour = "mariadb" if mariadb else ep.engine
        if ep.engine == "postgresql":
            postgres.prepare(conn)
            server_version = postgres.version(conn)
        elif ep.engine == "mysql":
            mysql.prepare(conn, mariadb)
            server_version = mysql.version(conn)
        else:
            server_version = str(conn.exec_driver_sql("SELECT sqlite_version()").scalar() or "")
        try:
            tables, total_tables = reflect(conn, ep.engine, max_tables)
        except Exception as exc:
            raise ProbeInconclusive(f"cannot read the schema: {short_error(exc, ep)}") from None
        table_facts, columns, credentials = self._columns(conn, ep, tables, n, rng)
        personal = _personal_tables(columns)
        facts: dict[str, Any] = {
            "engine": flavour,
            "server_version": server_version,
            "database": ep.database,
            "user": ep.user,
            "sample_rows": n,
            "table_count": len(tables),
            "tables": table_facts,
            "columns": columns,
            "credentials": credentials,
            "personal_tables": sorted(personal.values(), key=lambda t: t["table"]),
        }
        record = server_version_record(flavour, server_version, "database:server_version") \
            if ep.engine in ("postgresql", "mysql") else None
        facts["software"] = software_facts([record] if record else [], date.today())
        if ep.engine == "postgresql":
            facts["server"] = postgres.server_facts(conn, ep, personal)
        elif ep.engine == "mysql":
            facts["server"] = mysql.server_facts(conn, ep, mariadb)
        else:
            facts["server"] = {}
        if total_tables > len(tables):
            record_limit(facts, "database_tables", max_tables, total_tables)
        unread = sum(1 for t in table_facts if t["status"] != "ok")
        if unread:
            record_limit(facts, "database_tables_unread", unread, len(table_facts))
        return facts

    def _columns(
        self, conn: Connection, ep: Endpoint, tables: list[TableInfo], n: int, rng: random.Random
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
        today = date.today()
        table_facts: list[dict[str, Any]] = []
        columns: list[dict[str, Any]] = []
        credentials: list[dict[str, Any]] = []
        for table in tables:
            entry: dict[str, Any] = {
                "name": table.qualified, "row_estimate": table.row_estimate,
                "columns": [{"name": c, "type": t} for c, t in table.columns],
            }
            try:
                got = sample(conn, ep.engine, table, n, rng)
                entry.update({"status": "ok", "sample_method": got.method, "sampled_rows": got.rows})
                values = got.values
            except Exception as exc:
                entry.update({"status": "inconclusive", "reason": short_error(exc, ep), "sampled_rows": 0})
                values = {c: [] for c, _ in table.columns}
            table_items: list[dict[str, Any]] = []
            for name, type_ in table.columns:
                ref = ColumnRef(table.qualified, name, type_)
                cred = credential_facts(ref, values[name])
                if cred is not None:
                    credentials.append(cred)
                    continue
                item = column_facts(ref, values[name], on=today)
                if item is not None:
                    item["sampled"] = entry["status"] == "ok"
                    table_items.append(item)
            columns.extend(settle_table(table_items))
            values.clear()  # drop raw samples as soon as they are classified
            table_facts.append(entry)
        return table_facts, columns, credentials


def _personal_tables(columns: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    tables: dict[str, dict[str, Any]] = {}
    for c in columns:
        t = tables.setdefault(c["table"], {"table": c["table"], "kinds": [], "sensitivity": "none", "columns": []})
        if c["kind"] not in t["kinds"]:
            t["kinds"].append(c["kind"])
        t["columns"].append(c["column"])
        if _RANK[c["category"]] > _RANK[t["sensitivity"]]:
            t["sensitivity"] = c["category"]
    return tables
