"""Schema reflection and cheap, bounded row sampling spread over the whole table.

The cost does not grow with the table, and the sample is not the oldest rows:

- SQLite (rowid) and MySQL/MariaDB (single integer primary key): ``n`` random points between
  the smallest and largest key, each read as the first existing row at or after it (one index
  probe per point, then one ``IN`` lookup); tables without such a key: a window at a random
  ``OFFSET`` (at most ``MAX_OFFSET`` rows skipped), reported as such.
- PostgreSQL: ``TABLESAMPLE SYSTEM`` over about ``n`` pages (percentage from
  ``pg_relation_size``), ``BERNOULLI`` (percentage from ``reltuples``) for tables of at most
  ``n`` pages; the sampled tuple ids are put in random order before the ``LIMIT``, so the rows
  are not the first pages of the sample.
- Per column, non-null values: a column with fewer than ``SPARSE_MIN`` non-null values in the
  sample (columns added late are NULL in old rows) gets one more bounded query for non-null
  values only, over at most ``SPARSE_FACTOR`` times as many keys or pages.

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

from scanner.pii.column_facts import MAX_TEXT
from scanner.probes.database.scope import DatabaseScope

SYSTEM_SCHEMAS = frozenset({
    "pg_catalog", "information_schema", "pg_toast", "mysql", "performance_schema", "sys",
})
SMALL_FACTOR = 4  # tables with at most SMALL_FACTOR * n rows are read with a plain LIMIT
MAX_OFFSET = 100_000
POINT_CHUNK = 200  # random points per key-probe query (SQLite allows 500 terms in a compound SELECT)
IN_CHUNK = 1000  # keys per ``IN (...)`` list
SPARSE_MIN = 20  # a column with fewer non-null sampled values gets a second look
SPARSE_FACTOR = 5  # the second look covers at most this many times the sample's rows or pages
BERNOULLI_MAX_PAGES = 20_000  # BERNOULLI reads every page: only as a fallback on tables this small
_INTEGER_TYPES = ("INT", "BIGINT", "SMALLINT", "INTEGER", "MEDIUMINT", "TINYINT", "SERIAL")
SAMPLE_BUDGET = 32 * 1024 * 1024  # at most this many characters/bytes of cell values per sampled table
# fixed-size types, read as they are; every other type is cut or dropped by the server when long
# (matched exactly: INT4MULTIRANGE or BIT VARYING only start like one; PostgreSQL's BIT(n) has no upper size)
_FIXED_TYPES = frozenset({
    "INT", "INT2", "INT4", "INT8", "BIGINT", "SMALLINT", "INTEGER", "MEDIUMINT", "TINYINT", "SERIAL", "SMALLSERIAL",
    "BIGSERIAL", "NUMERIC", "DECIMAL", "REAL", "DOUBLE", "FLOAT", "FLOAT4", "FLOAT8", "BOOL", "BOOLEAN", "DATE",
    "TIME", "TIMETZ", "TIMESTAMP", "TIMESTAMPTZ", "DATETIME", "YEAR", "INTERVAL", "UUID", "INET", "CIDR", "MACADDR",
    "MACADDR8", "MONEY", "OID"})
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
    if base in _FIXED_TYPES or (base == "BIT" and engine == "mysql"):  # MySQL's BIT holds at most 64 bits
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
    key_type: str = ""  # type of a single-column primary key (kept when the scope leaves the column out)
    comments: dict[str, str] = field(default_factory=dict)
    row_estimate: int | None = None
    pages: int | None = None
    default_schema: bool = True

    @property
    def qualified(self) -> str:
        return self.name if self.default_schema or not self.schema else f"{self.schema}.{self.name}"


@dataclass
class Sample:
    """Sampled rows of one table, column-major, plus how they were drawn.

    ``coverage`` locates the sampled rows in the table as fractions (0..1) of its key range
    (rowid, integer primary key) or of its pages (PostgreSQL), never as key values: a key may
    itself be personal data. ``complete`` is true when the whole table was read.
    """

    values: dict[str, list[object]]
    method: str
    rows: int
    coverage: dict[str, Any] = field(default_factory=dict)
    complete: bool = False
    topped_up: list[str] = field(default_factory=list)
    key_bounds: tuple[int, int] | None = None  # smallest and largest key, for the sparse-column look

    def non_null(self) -> dict[str, int]:
        """Non-null, non-empty values per column (after any top-up)."""
        return {c: sum(1 for v in vs if v is not None and v != "") for c, vs in self.values.items()}

    def describe(self) -> dict[str, Any]:
        """How the sample was drawn, for the facts (no values)."""
        return {"method": self.method, "rows_seen": self.rows, "complete": self.complete,
                "non_null": self.non_null(), "coverage": self.coverage, "topped_up": list(self.topped_up)}


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


def reflect(conn: Connection, engine: str, max_tables: int,
            scope: DatabaseScope | None = None) -> tuple[list[TableInfo], int]:
    """Reflect up to ``max_tables`` tables in ``scope`` with their columns, primary keys, comments
    and row estimates (catalogue reads only).

    Returns the reflected tables and how many tables in scope the schemas hold in all.
    """
    insp = inspect(conn)
    scope = scope or DatabaseScope()
    wanted, default = schemas(conn, engine)
    tables: list[TableInfo] = []
    total = 0
    for schema in wanted:
        cols = insp.get_multi_columns(schema=schema)
        pks = insp.get_multi_pk_constraint(schema=schema)
        for (sch, name), columns in sorted(cols.items(), key=lambda kv: kv[0][1]):
            full = f"{sch or schema or 'main'}.{name}"
            if not scope.wants_table(full, [c["name"] for c in columns]):
                scope.tables_excluded += 1
                continue
            total += 1
            if len(tables) >= max_tables:
                continue
            pk: dict[str, Any] = dict(pks.get((sch, name)) or {})
            keys = list(pk.get("constrained_columns") or [])
            types = {c["name"]: _type_name(dict(c)) for c in columns}
            kept = [c for c in columns if scope.wants_column(full, c["name"])]
            scope.columns_excluded += len(columns) - len(kept)
            tables.append(TableInfo(
                schema=sch or schema, name=name,
                columns=[(c["name"], types[c["name"]]) for c in kept],
                primary_key=keys,
                key_type=types.get(keys[0], "") if len(keys) == 1 else "",
                comments={c["name"]: str(c["comment"]) for c in kept if c.get("comment")},
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


def _columns_sql(conn: Connection, engine: str, table: TableInfo) -> str:
    """The table's columns, each cut to ``MAX_TEXT`` by the server (:func:`bounded_column`)."""
    quote = conn.dialect.identifier_preparer.quote_identifier
    return _aliased([bounded_column(engine, quote(c), t) for c, t in table.columns])


def _aliased(expressions: list[str]) -> str:
    """``expr AS pindai_c0, ...``: a derived table needs distinct column names, and MariaDB names an
    unaliased expression by its (truncated) text."""
    return ", ".join(f"{e} AS pindai_c{i}" for i, e in enumerate(expressions))


def _rows(conn: Connection, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in conn.execute(text(sql), params)]


def sample(conn: Connection, engine: str, table: TableInfo, n: int, rng: random.Random | None = None) -> Sample:
    """Read at most ``n`` rows spread over the whole of ``table`` at a cost that does not grow
    with the table, then top up sparse columns with non-null values (see the module docstring)."""
    rng = rng or random.Random()
    n = rows_within_budget(n, len(table.columns))
    got: Sample | None = None
    if engine == "postgresql":
        got = _pg_sample(conn, table, n, rng)
    else:
        key = _integer_key(table, engine)
        if key is not None:
            got = _key_sample(conn, engine, table, key, n, rng)
        if got is None:
            got = _window_sample(conn, engine, table, n, rng)
    if not got.complete:
        _top_up(conn, engine, table, got, n, rng)
    return got


def _integer_key(table: TableInfo, engine: str) -> str | None:
    """The column to sample by: SQLite's rowid, else a single integer primary key."""
    if engine == "sqlite":
        return "rowid"
    if len(table.primary_key) == 1 and table.key_type.upper().startswith(_INTEGER_TYPES):
        return table.primary_key[0]
    return None


def _fraction(position: float, low: float, high: float) -> float:
    return round((position - low) / (high - low), 4) if high > low else 0.0


# -- key engines (SQLite rowid, MySQL/MariaDB integer primary key) -----------------------------------

def _key_sql(conn: Connection, key: str) -> str:
    return key if key == "rowid" else conn.dialect.identifier_preparer.quote_identifier(key)


def _bounds(conn: Connection, source: str, key: str) -> tuple[int, int] | None:
    # Two scalar subqueries: SQLite answers each from the b-tree's ends, but scans for MIN and MAX together.
    # Identifiers are quoted by the dialect; no value is interpolated.
    low, high = conn.execute(text(f"SELECT (SELECT MIN({key}) FROM {source}), "
                                  f"(SELECT MAX({key}) FROM {source})")).one()  # nosec B608
    if low is None or high is None:
        return None
    return int(low), int(high)


def _draw(rng: random.Random, low: int, high: int, k: int) -> list[int]:
    span = high - low + 1
    if span <= k:
        return list(range(low, high + 1))
    return sorted(rng.sample(range(low, high + 1), k))


def _key_sample(conn: Connection, engine: str, table: TableInfo, key: str, n: int,
                rng: random.Random) -> Sample | None:
    """``n`` random points between the smallest and largest key, each read as the next existing row."""
    source, k = _source(conn, table), _key_sql(conn, key)
    try:
        bounds = _bounds(conn, source, k)
    except Exception:  # a WITHOUT ROWID table or a view: no rowid
        return None
    label = "rowid" if key == "rowid" else "pk"
    names = [c for c, _ in table.columns]
    if bounds is None:
        return Sample({c: [] for c in names}, f"{label}-points", 0, {"unit": label, "from": 0.0, "to": 0.0}, True)
    low, high = bounds
    keys = _keys_at(conn, source, k, _draw(rng, low, high, n), 1)
    found = _by_keys(conn, source, k, _columns_sql(conn, engine, table), keys)
    rows = list(found.values())
    complete = high - low + 1 <= n
    coverage = {"unit": label, "from": _fraction(min(found, default=low), low, high),
                "to": _fraction(max(found, default=low), low, high)}
    values = {name: [r[i] for r in rows] for i, name in enumerate(names)}
    return Sample(values, f"{label}-points", len(rows), coverage, complete, key_bounds=bounds)


def _window_sample(conn: Connection, engine: str, table: TableInfo, n: int, rng: random.Random) -> Sample:
    """No usable key: a window at a random offset (capped at ``MAX_OFFSET`` rows skipped)."""
    base = f"SELECT {_columns_sql(conn, engine, table)} FROM {_source(conn, table)}"  # nosec B608
    estimate = table.row_estimate
    method, rows = "limit", []
    if estimate is not None and estimate > SMALL_FACTOR * n:
        offset = rng.randint(0, max(0, min(estimate - n, MAX_OFFSET)))
        rows, method = _rows(conn, f"{base} LIMIT {int(n)} OFFSET {offset}"), "offset-window"
    if len(rows) < n // 2:
        rows, method = _rows(conn, f"{base} LIMIT {int(n)}"), "limit" if method == "limit" else method + "+limit"
    complete = len(rows) < n and method == "limit"
    names = [c for c, _ in table.columns]
    values = {name: [r[i] for r in rows] for i, name in enumerate(names)}
    reach = None if not estimate else _fraction(min(estimate, MAX_OFFSET + n), 0, estimate)
    coverage = {"unit": "rows", "from": 0.0, "to": 1.0 if complete else reach}
    return Sample(values, method, len(rows), coverage, complete)


# -- PostgreSQL: pages drawn by TABLESAMPLE, rows in random order within them ---------------------

def _ctid_sample(conn: Connection, source: str, cols: str, tablesample: str, salt: int, n: int,
                 where: str = "") -> list[tuple[Any, ...]]:
    """Rows (bounded columns, then the block number) of ``n`` sampled tuples in random order.

    The inner query reads only tuple ids, so the values of the rows left out are never computed.
    """
    # Identifiers are quoted by the dialect; the percentage and seeds are numbers drawn here.
    inner = (f"SELECT ctid FROM {source} {tablesample}{where} "
             f"ORDER BY md5(ctid::text || '{int(salt)}') LIMIT {int(n)}")  # nosec B608
    return _rows(conn, f"SELECT {cols}, (ctid::text::point)[0] FROM {source} "
                       f"WHERE ctid = ANY(ARRAY({inner}))")  # nosec B608


def _pg_plan(table: TableInfo, n: int, factor: int = 1) -> tuple[str, float]:
    """(method, percent): SYSTEM over ~``n`` pages for large tables, BERNOULLI for small ones."""
    pages = max(table.pages or 0, 1)
    if pages > n * factor:
        return "tablesample-system", min(100.0, 100.0 * n * factor / pages)
    rows = table.row_estimate if table.row_estimate and table.row_estimate > 0 else 0
    percent = 100.0 if not rows else min(100.0, 100.0 * SMALL_FACTOR * n * factor / rows)
    return "tablesample-bernoulli", max(percent, 0.0001)


def _pg_sample(conn: Connection, table: TableInfo, n: int, rng: random.Random) -> Sample:
    source, cols = _source(conn, table), _columns_sql(conn, "postgresql", table)
    method, percent = _pg_plan(table, n)
    kind = "SYSTEM" if method.endswith("system") else "BERNOULLI"
    rows = _ctid_sample(conn, source, cols, _tablesample(kind, percent, rng), rng.randrange(10**9), n)
    if len(rows) < n // 2 and percent < 100.0:  # stale estimate or sparse pages: read more
        pages = max(table.pages or 0, 1)
        kind = "BERNOULLI" if pages <= BERNOULLI_MAX_PAGES else "SYSTEM"
        percent = min(100.0, percent * 4) if kind == "SYSTEM" else 100.0
        rows = _ctid_sample(conn, source, cols, _tablesample(kind, percent, rng), rng.randrange(10**9), n)
        method = f"{method}+{kind.lower()}"
    complete = kind == "BERNOULLI" and percent >= 100.0 and len(rows) < n
    names = [c for c, _ in table.columns]
    values = {name: [r[i] for r in rows] for i, name in enumerate(names)}
    pages = max(table.pages or 0, 1)
    blocks = [float(r[-1]) for r in rows]
    coverage = {"unit": "pages", "pages": table.pages or 0, "percent": round(percent, 4),
                "from": _fraction(min(blocks, default=0), 0, pages),
                "to": _fraction(max(blocks, default=0) + 1, 0, pages)}
    return Sample(values, method, len(rows), coverage, complete)


def _tablesample(kind: str, percent: float, rng: random.Random) -> str:
    return f"TABLESAMPLE {kind} ({percent:.6f}) REPEATABLE ({rng.randrange(10**9)})"


# -- sparse columns: a second, bounded query for non-null values ----------------------------------

def _sparse(got: Sample, n: int) -> list[str]:
    want = min(SPARSE_MIN, max(1, n // 2))
    return [c for c, count in got.non_null().items() if count < want]


def _top_up(conn: Connection, engine: str, table: TableInfo, got: Sample, n: int, rng: random.Random) -> None:
    """Look at up to ``SPARSE_FACTOR`` x ``n`` more rows (or pages) for sparse columns' non-null values.

    Columns added to a table late are NULL in its old rows; a sample that happens to hold few of
    the new rows would read them as empty. The extra look is bounded the same way as the sample:
    on PostgreSQL one ``TABLESAMPLE`` query per sparse column for its non-null values; on key
    engines the sparse columns of short runs of rows at ``n`` new random points.
    """
    sparse = _sparse(got, n)
    if not sparse:
        return
    types = dict(table.columns)
    quote = conn.dialect.identifier_preparer.quote_identifier
    source = _source(conn, table)
    found: dict[str, list[object]] = {}
    if engine == "postgresql":
        method, percent = _pg_plan(table, n, SPARSE_FACTOR)
        kind = "SYSTEM" if method.endswith("system") else "BERNOULLI"
        for name in sparse:
            rows = _ctid_sample(conn, source, bounded_column(engine, quote(name), types[name]),
                                _tablesample(kind, percent, rng), rng.randrange(10**9), n,
                                where=f" WHERE {quote(name)} IS NOT NULL")
            found[name] = [r[0] for r in rows]
    else:
        key = _integer_key(table, engine)
        bounds = got.key_bounds
        if key is None or bounds is None:
            return  # no key to spread a second look over; the window sample stands
        cols = _aliased([bounded_column(engine, quote(c), types[c]) for c in sparse])
        run = max(1, rows_within_budget(SPARSE_FACTOR * n, len(sparse)) // n)
        k = _key_sql(conn, key)
        runs = _by_keys(conn, source, k, cols, _keys_at(conn, source, k, _draw(rng, *bounds, n), run))
        found = {name: [r[i] for r in runs.values()] for i, name in enumerate(sparse)}
    for name, values in found.items():
        extra = [v for v in values if v is not None and v != ""][:n]
        if extra:
            got.values[name] = [v for v in got.values[name] if v is not None and v != ""] + extra
            got.topped_up.append(name)


def _keys_at(conn: Connection, source: str, key: str, points: list[int], run: int) -> list[int]:
    """The ``run`` existing keys at or after each point, each once, in order.

    One ``LIMIT run`` range probe per point with the point as a literal (MariaDB does not use the
    primary key's range for a correlated ``key >= outer.point`` and walks the index instead). Only
    keys pass through the compound query: values are read afterwards by :func:`_by_keys`, so a
    huge or generated value is never materialised by a subquery.
    """
    found: set[int] = set()
    for i in range(0, len(points), POINT_CHUNK):
        # Identifiers are quoted by the dialect; the points are integers drawn here.
        probes = " UNION ALL ".join(
            f"SELECT * FROM (SELECT {key} AS pindai_key FROM {source} WHERE {key} >= {int(p)} "
            f"ORDER BY {key} LIMIT {int(run)}) AS pindai_{j}"  # nosec B608
            for j, p in enumerate(points[i:i + POINT_CHUNK]))
        found.update(int(k) for (k,) in _rows(conn, probes) if k is not None)
    return sorted(found)


def _by_keys(conn: Connection, source: str, key: str, cols: str, keys: list[int]) -> dict[int, tuple[Any, ...]]:
    """Rows (``cols``, by key) whose key is one of ``keys``."""
    rows: dict[int, tuple[Any, ...]] = {}
    for i in range(0, len(keys), IN_CHUNK):
        listed = ", ".join(str(int(k)) for k in keys[i:i + IN_CHUNK])
        # Identifiers are quoted by the dialect; the keys are integers read from the server.
        sql = f"SELECT {cols}, {key} FROM {source} WHERE {key} IN ({listed})"  # nosec B608
        rows.update((int(r[-1]), r[:-1]) for r in _rows(conn, sql))
    return rows
