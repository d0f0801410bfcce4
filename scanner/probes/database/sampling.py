"""Schema reflection and cheap, bounded row sampling (never a full scan of a large table).

- PostgreSQL: row estimate from ``pg_class.reltuples`` (pages from ``pg_relation_size``);
  large tables are read with ``TABLESAMPLE SYSTEM (p) LIMIT n``.
- MySQL/MariaDB: estimate from ``information_schema.TABLES.TABLE_ROWS``; large tables are
  read as a primary-key range from a random start, else a random ``OFFSET`` window
  (offset capped so that the server skips at most ``MAX_OFFSET`` rows).
- SQLite: ``LIMIT n`` (rows are read in rowid order and reading stops after ``n``).

Memory is bounded in SQL, before a value crosses the wire: every variable-length column is cut
to ``MAX_TEXT`` characters/bytes by the server (:func:`bounded_column`, one expression per
engine), and the row count shrinks for very wide tables so that rows x columns x ``MAX_TEXT``
stays under ``SAMPLE_BUDGET`` (:func:`rows_within_budget`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from scanner.probes.database.columns import MAX_TEXT

SYSTEM_SCHEMAS = frozenset({
    "pg_catalog", "information_schema", "pg_toast", "mysql", "performance_schema", "sys",
})
SMALL_FACTOR = 4  # tables with at most SMALL_FACTOR * n rows are read with a plain LIMIT
MAX_OFFSET = 100_000
_INTEGER_TYPES = ("INT", "BIGINT", "SMALLINT", "INTEGER", "MEDIUMINT", "TINYINT", "SERIAL")
SAMPLE_BUDGET = 32 * 1024 * 1024  # at most this many characters/bytes of cell values per sampled table
# fixed-size types, read as they are; every other type is cut or dropped by the server when long
_FIXED_TYPES = ("INT", "BIGINT", "SMALLINT", "INTEGER", "MEDIUMINT", "TINYINT", "SERIAL", "BIGSERIAL",
                "NUMERIC", "DECIMAL", "REAL", "DOUBLE", "FLOAT", "BOOL", "DATE", "TIME", "TIMESTAMP",
                "DATETIME", "YEAR", "INTERVAL", "UUID", "INET", "CIDR", "MACADDR", "MONEY", "OID", "BIT")
_TEXT_TYPES = ("CHAR", "VARCHAR", "CHARACTER", "TEXT", "CITEXT", "NAME", "TINYTEXT", "MEDIUMTEXT", "LONGTEXT",
               "NCHAR", "NVARCHAR", "CLOB", "ENUM", "SET")
_BINARY_TYPES = ("BYTEA", "BLOB", "TINYBLOB", "MEDIUMBLOB", "LONGBLOB", "BINARY", "VARBINARY")


def _base_type(type_name: str) -> str:
    return type_name.upper().split("(", 1)[0].split(" ", 1)[0].strip()


def bounded_column(engine: str, column: str, type_name: str, limit: int = MAX_TEXT) -> str:
    """SQL expression reading the quoted ``column`` with at most ``limit`` characters or bytes.

    Strings and byte strings are cut by the server (SQLite ``substr``, PostgreSQL ``left`` /
    ``substring``, MySQL/MariaDB ``LEFT``); other variable-length values (JSON, XML, arrays,
    unknown types) longer than ``limit`` are read as NULL; fixed-size types are read as they are.
    """
    n = int(limit)
    if engine == "sqlite":  # dynamic typing: decide per value, keep numbers numeric
        return f"CASE WHEN typeof({column}) IN ('text', 'blob') THEN substr({column}, 1, {n}) ELSE {column} END"
    base = _base_type(type_name)
    if "[]" in type_name or base == "ARRAY":
        base = "ARRAY"
    if base.startswith(_FIXED_TYPES):
        return column
    if engine == "postgresql":
        if base == "BYTEA":
            return f"substring({column} from 1 for {n})"
        if base in _TEXT_TYPES:
            return f"left({column}::text, {n})"
        return f"CASE WHEN octet_length({column}::text) <= {n} THEN {column} END"
    if base in _TEXT_TYPES or base in _BINARY_TYPES or base == "JSON":
        return f"LEFT({column}, {n})"
    return f"CASE WHEN LENGTH({column}) <= {n} THEN {column} END"


def rows_within_budget(n: int, column_count: int, limit: int = MAX_TEXT) -> int:
    """``n``, reduced for wide tables so that rows x columns x ``limit`` stays within SAMPLE_BUDGET."""
    return max(1, min(int(n), SAMPLE_BUDGET // (max(1, column_count) * max(1, limit))))


@dataclass
class TableInfo:
    """One reflected table: its columns (name, type), primary key and row estimate."""

    schema: str | None
    name: str
    columns: list[tuple[str, str]] = field(default_factory=list)
    primary_key: list[str] = field(default_factory=list)
    row_estimate: int | None = None
    pages: int | None = None
    default_schema: bool = True

    @property
    def qualified(self) -> str:
        return self.name if self.default_schema or not self.schema else f"{self.schema}.{self.name}"


@dataclass
class Sample:
    """Sampled rows of one table, column-major, plus how they were obtained."""

    values: dict[str, list[object]]
    method: str
    rows: int


def _type_name(col: dict[str, Any]) -> str:
    try:
        return str(col["type"])
    except Exception:  # some dialect types cannot be rendered generically
        return type(col["type"]).__name__


def schemas(conn: Connection, engine: str) -> tuple[list[str | None], str | None]:
    """Schemas to scan and the connection's default schema."""
    insp = inspect(conn)
    default = insp.default_schema_name
    if engine == "sqlite":
        return [None], default
    if engine == "mysql" and default:
        return [default], default
    names = [s for s in insp.get_schema_names() if s not in SYSTEM_SCHEMAS and not s.startswith("pg_")]
    return list(names), default


def reflect(conn: Connection, engine: str, max_tables: int) -> tuple[list[TableInfo], int]:
    """Reflect up to ``max_tables`` tables with their columns, primary keys and row estimates.

    Returns the reflected tables and how many tables the schemas hold in all.
    """
    insp = inspect(conn)
    wanted, default = schemas(conn, engine)
    tables: list[TableInfo] = []
    total = 0
    for schema in wanted:
        cols = insp.get_multi_columns(schema=schema)
        pks = insp.get_multi_pk_constraint(schema=schema)
        total += len(cols)
        for (sch, name), columns in sorted(cols.items(), key=lambda kv: kv[0][1]):
            if len(tables) >= max_tables:
                break
            pk: dict[str, Any] = dict(pks.get((sch, name)) or {})
            tables.append(TableInfo(
                schema=sch or schema, name=name,
                columns=[(c["name"], _type_name(dict(c))) for c in columns],
                primary_key=list(pk.get("constrained_columns") or []),
                default_schema=(sch or schema) in (None, default),
            ))
    _estimates(conn, engine, tables)
    return tables, total


def _estimates(conn: Connection, engine: str, tables: list[TableInfo]) -> None:
    by_key = {(t.schema, t.name): t for t in tables}
    if engine == "postgresql":
        rows = conn.execute(text(
            "SELECT n.nspname, c.relname, c.reltuples::bigint, "
            "pg_relation_size(c.oid) / current_setting('block_size')::int "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
        ))
        for schema, name, reltuples, pages in rows:
            t = by_key.get((schema, name))
            if t is not None:
                t.row_estimate = int(reltuples) if reltuples is not None and reltuples >= 0 else None
                t.pages = int(pages or 0)
    elif engine == "mysql":
        rows = conn.execute(text(
            "SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_ROWS FROM information_schema.TABLES "
            "WHERE TABLE_TYPE = 'BASE TABLE' AND TABLE_SCHEMA = DATABASE()"
        ))
        for schema, name, estimate in rows:
            t = by_key.get((schema, name))
            if t is not None:
                t.row_estimate = int(estimate) if estimate is not None else None


def _source(conn: Connection, table: TableInfo) -> str:
    prep = conn.dialect.identifier_preparer
    source = prep.quote_identifier(table.name)
    if table.schema and conn.dialect.name != "sqlite":
        source = f"{prep.quote_identifier(table.schema)}.{source}"
    return source


def _select(conn: Connection, engine: str, table: TableInfo) -> str:
    quote = conn.dialect.identifier_preparer.quote_identifier
    cols = ", ".join(bounded_column(engine, quote(c), t) for c, t in table.columns)
    # Identifiers are quoted by the dialect; no value is interpolated.
    return f"SELECT {cols} FROM {_source(conn, table)}"  # nosec B608


def _rows(conn: Connection, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in conn.execute(text(sql), params)]


def sample(conn: Connection, engine: str, table: TableInfo, n: int, rng: random.Random | None = None) -> Sample:
    """Read at most ``n`` rows of ``table`` cheaply; see the module docstring for the methods."""
    rng = rng or random.Random()
    n = rows_within_budget(n, len(table.columns))
    base = _select(conn, engine, table)
    limit = f" LIMIT {int(n)}"
    estimate = table.row_estimate
    method = "limit"
    rows: list[tuple[Any, ...]]
    if engine == "postgresql":
        pages = table.pages or 0
        guess = estimate if estimate is not None else pages * 100
        if pages > 8 and guess > SMALL_FACTOR * n:
            percent = min(100.0, max(0.001, 100.0 * SMALL_FACTOR * n / max(guess, 1)))
            rows = _rows(conn, f"{base} TABLESAMPLE SYSTEM ({percent:.4f}){limit}")
            method = "tablesample-system"
            if len(rows) < n // 2:
                rows = _rows(conn, base + limit)
                method = "tablesample-system+limit"
        else:
            rows = _rows(conn, base + limit)
    elif engine == "mysql" and estimate is not None and estimate > SMALL_FACTOR * n:
        rows, method = _mysql_window(conn, table, base, n, estimate, rng)
    else:
        rows = _rows(conn, base + limit)
    names = [c for c, _ in table.columns]
    values = {name: [r[i] for r in rows] for i, name in enumerate(names)}
    return Sample(values, method, len(rows))


def _mysql_window(
    conn: Connection, table: TableInfo, base: str, n: int, estimate: int, rng: random.Random
) -> tuple[list[tuple[Any, ...]], str]:
    types = dict(table.columns)
    pk = table.primary_key[0] if len(table.primary_key) == 1 else None
    if pk and types.get(pk, "").upper().startswith(_INTEGER_TYPES):
        q = conn.dialect.identifier_preparer.quote_identifier(pk)
        # Identifiers are quoted by the dialect; no value is interpolated.
        bounds = f"SELECT MIN({q}), MAX({q}) FROM {_source(conn, table)}"  # nosec B608
        low, high = conn.execute(text(bounds)).one()
        if low is not None and high is not None:
            start = rng.randint(int(low), max(int(low), int(high) - n))
            rows = _rows(conn, f"{base} WHERE {q} >= :start ORDER BY {q} LIMIT {int(n)}", start=start)
            if len(rows) < n:
                rows += _rows(conn, f"{base} WHERE {q} < :start ORDER BY {q} LIMIT {int(n - len(rows))}", start=start)
            return rows, "pk-range"
    offset = rng.randint(0, max(0, min(estimate - n, MAX_OFFSET)))
    rows = _rows(conn, f"{base} LIMIT {int(n)} OFFSET {offset}")
    if len(rows) < n // 2:
        rows = _rows(conn, f"{base} LIMIT {int(n)}")
    return rows, "offset-window"
