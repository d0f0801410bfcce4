"""The ``database`` probe: personal-data columns and server hardening of a live database.

Facts are documented in ``docs/facts/database.md``. Sampled values are classified and
masked in memory; only masked examples and aggregate numbers reach the facts.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy.engine import Connection

from scanner.eol import server_version_record, software_facts
from scanner.model import Target, TargetKind
from scanner.pii import scrub
from scanner.pii.column_facts import ColumnRef, column_facts, credential_facts, settle_table
from scanner.politeness import politeness_key
from scanner.probes.base import ProbeContext, ProbeInconclusive, record_limit
from scanner.probes.database import SPEC, mysql, postgres
from scanner.probes.database.connect import Endpoint, QueryCounter, endpoint, make_engine, open_connection, short_error
from scanner.probes.database.incremental import Carry, column_fingerprint
from scanner.probes.database.options import DatabaseTargetOptions
from scanner.probes.database.sampling import TableInfo, reflect, sample
from scanner.probes.database.scope import DatabaseScope, ScopeError

MAX_COMMENT = 200  # characters of a column comment kept in the facts (masked)
_RANK = {"none": 0, "general": 1, "specific": 2}


class DatabaseProbe:
    """Observe a PostgreSQL, MySQL/MariaDB or SQLite database (read-only, bounded sampling)."""

    name = SPEC.name

    def applies_to(self, target: Target) -> bool:
        return target.kind is TargetKind.DATABASE

    def run(self, target: Target, ctx: ProbeContext) -> dict[str, Any]:
        ep = endpoint(target, ctx)
        opts = DatabaseTargetOptions.of(target)
        n, max_tables, seed = opts.sample_rows, opts.max_tables, opts.sample_seed
        rng = random.Random(seed) if seed is not None else random.Random()
        try:
            scope = DatabaseScope.from_patterns(opts.database.include, opts.database.exclude)
        except ScopeError as exc:
            raise ProbeInconclusive(f"options.database: {exc}") from None
        read_data = opts.database.read_data
        carry = Carry.from_previous(ctx.previous.get(target.id, {}).get(self.name), read_data)
        plan = _Plan(n, max_tables, rng, scope, read_data, carry)
        counter = QueryCounter()
        engine = make_engine(ep, ctx.timeout)
        counter.attach(engine)
        try:
            with ctx.gate.slot(politeness_key(ep.host or "localhost", ep.port)), open_connection(engine, ep) as raw:
                conn = raw.execution_options(isolation_level="AUTOCOMMIT")
                facts = self._observe(conn, ep, plan)
        finally:
            engine.dispose()
        # a second, TLS-less connection without credentials; made after the first connection is closed (no nested slots)
        if ep.engine == "postgresql":
            facts["server"]["plaintext_connection"] = postgres.plaintext_connection(ep, ctx)
        elif ep.engine == "mysql":
            facts["server"]["plaintext_connection"] = mysql.plaintext_connection(ep, ctx, facts["server"])
        facts["cost"] = counter.summary()
        return facts

    def _observe(self, conn: Connection, ep: Endpoint, plan: _Plan) -> dict[str, Any]:
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
            tables, total_tables = reflect(conn, ep.engine, plan.max_tables, plan.scope)
        except Exception as exc:
            raise ProbeInconclusive(f"cannot read the schema: {short_error(exc, ep)}") from None
        table_facts, columns, credentials, schema = self._columns(conn, ep, tables, plan)
        personal = _personal_tables(columns)
        facts: dict[str, Any] = {
            "engine": flavour,
            "server_version": server_version,
            "database": ep.database,
            "user": ep.user,
            "sample_rows": plan.n,
            "read_data": plan.read_data,
            "scope": plan.scope.facts(),
            "table_count": len(tables),
            "tables": table_facts,
            "columns": columns,
            "credentials": credentials,
            "personal_tables": sorted(personal.values(), key=lambda t: t["table"]),
            "schema": schema,
            "incremental": _incremental(plan.carry, table_facts),
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
            record_limit(facts, "database_tables", plan.max_tables, total_tables)
        # metadata-only and inconclusive tables were not read; carried-forward ones were read before
        unread = sum(1 for t in table_facts if t["status"] not in ("ok", "carried-forward"))
        if unread:
            record_limit(facts, "database_tables_unread", unread, len(table_facts))
        return facts

    def _columns(
        self, conn: Connection, ep: Endpoint, tables: list[TableInfo], plan: _Plan
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]], dict[str, str]]:
        today = date.today()
        table_facts: list[dict[str, Any]] = []
        columns: list[dict[str, Any]] = []
        credentials: list[dict[str, Any]] = []
        schema: dict[str, str] = {}
        for table in tables:
            entry: dict[str, Any] = {
                "name": table.qualified, "row_estimate": table.row_estimate,
                "columns": [_column_entry(c, t, table.comments.get(c)) for c, t in table.columns],
            }
            prints = {c: column_fingerprint(table.qualified, c, t) for c, t in table.columns}
            schema.update({ColumnRef(table.qualified, c).key: f for c, f in prints.items()})
            table_items: list[dict[str, Any]] = []
            todo = table.columns
            if plan.carry is not None:
                carry = plan.carry
                todo = [(c, t) for c, t in table.columns
                        if not carry.unchanged(ColumnRef(table.qualified, c).key, prints[c])]
                changed = {c for c, _ in todo}
                for c in (c for c, _ in table.columns if c not in changed):
                    item, cred = carry.carried(ColumnRef(table.qualified, c).key)
                    if cred is not None:
                        credentials.append(cred)
                    if item is not None:
                        table_items.append(item)
                entry["changed_columns"] = [c for c, _ in todo]
            values = self._sample(conn, ep, replace(table, columns=todo), plan, entry) if todo else {}
            if not todo:
                entry.update({"status": "carried-forward", "sampled_rows": 0})
            for name, type_ in todo:
                ref = ColumnRef(table.qualified, name, type_)
                cred = credential_facts(ref, values[name])
                if cred is not None:
                    credentials.append(cred)
                    continue
                item = column_facts(ref, values[name], on=today)
                if item is not None:
                    item["sampled"] = entry["status"] == "ok"
                    if not plan.read_data:
                        item.update({"confidence": "low", "basis": "column-name"})
                    table_items.append(item)
            columns.extend(settle_table(table_items))
            values.clear()  # drop raw samples as soon as they are classified
            table_facts.append(entry)
        return table_facts, columns, credentials, schema

    @staticmethod
    def _sample(conn: Connection, ep: Endpoint, table: TableInfo, plan: _Plan,
                entry: dict[str, Any]) -> dict[str, list[object]]:
        """Sampled values of ``table``'s columns; records how (or why not) in ``entry``."""
        if not plan.read_data:
            entry.update({"status": "metadata-only", "sampled_rows": 0})
            return {c: [] for c, _ in table.columns}
        try:
            got = sample(conn, ep.engine, table, plan.n, plan.rng)
        except Exception as exc:
            entry.update({"status": "inconclusive", "reason": short_error(exc, ep), "sampled_rows": 0})
            return {c: [] for c, _ in table.columns}
        entry.update({"status": "ok", "sample_method": got.method, "sampled_rows": got.rows,
                      "sample": got.describe()})
        return got.values


@dataclass
class _Plan:
    """What one run reads: rows per table, table cap, randomness, scope, and whether rows are read."""

    n: int
    max_tables: int
    rng: random.Random
    scope: DatabaseScope
    read_data: bool
    carry: Carry | None = None


def _column_entry(name: str, type_: str, comment: str | None) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": name, "type": type_}
    if comment:
        entry["comment"] = str(scrub(comment[:MAX_COMMENT]))
    return entry


def _incremental(carry: Carry | None, tables: list[dict[str, Any]]) -> dict[str, Any] | None:
    """What a ``--changed-only`` run sampled anew and what it carried forward."""
    if carry is None:
        return None
    changed = sum(len(t.get("changed_columns", [])) for t in tables)
    total = sum(len(t["columns"]) for t in tables)
    return {"since_scan": carry.scan_id, "changed_columns": changed, "carried_columns": total - changed}


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
