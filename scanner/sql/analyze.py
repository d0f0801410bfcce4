"""Analyse SQL text (dumps, migrations): personal-data columns, plaintext values, grants.

``analyze_sql(text, source)`` is the public entry point, shared by the sqlfile probe and the
code probe (migrations found in source trees). It never returns a raw personal value: values from
``INSERT … VALUES`` and ``COPY … FROM stdin`` are classified with :mod:`scanner.pii`
in memory and only masked examples and ratios are returned.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import sqlparse
from sqlparse import sql as sqltokens

from scanner.pii.column_facts import ColumnRef, column_facts, credential_facts, settle_table
from scanner.probes.base import SubStatus, record_limit, subcheck
from scanner.sql.lexer import (
    Call,
    extract_copy_blocks,
    split_statements,
    split_top,
    strip_leading_comments,
    unquote,
    value_tuples,
)

SAMPLE_ROWS = 200  # values kept per column for classification
MAX_DDL = 100_000  # longer CREATE statements are not handed to sqlparse
_CONSTRAINT_WORDS = ("PRIMARY", "KEY", "UNIQUE", "CONSTRAINT", "INDEX", "FOREIGN", "CHECK", "FULLTEXT", "SPATIAL",
                     "EXCLUDE", "LIKE", "PERIOD")
_INSERT = re.compile(
    r"^\s*(?:INSERT|REPLACE)\s+(?:LOW_PRIORITY\s+|DELAYED\s+|HIGH_PRIORITY\s+|IGNORE\s+)*(?:INTO\s+)?"
    r"((?:`[^`]+`|\"[^\"]+\"|\[[^\]]+\]|[\w$]+)(?:\s*\.\s*(?:`[^`]+`|\"[^\"]+\"|\[[^\]]+\]|[\w$]+))?)"
    r"\s*(\([^)]*\))?\s*VALUES\s*",
    re.I | re.S,
)
_GRANT = re.compile(r"^\s*GRANT\s+(.+?)\s+ON\s+"
                    r"(?:(TABLE|SCHEMA|DATABASE|ALL\s+TABLES\s+IN\s+SCHEMA|FUNCTION|SEQUENCE)\s+)?"
                    r"(.+?)\s+TO\s+(.+?)(?:\s+WITH\s+GRANT\s+OPTION|\s+IDENTIFIED\s+BY.*)?\s*;?\s*$", re.I | re.S)
_CALL_PROTECTION: dict[str, tuple[str, str]] = {
    "md5": ("hashed-weak", "md5"), "sha1": ("hashed-weak", "sha1"), "sha": ("hashed-weak", "sha1"),
    "sha2": ("hashed-weak", "sha2"), "password": ("hashed-weak", "mysql-native"),
    "old_password": ("hashed-weak", "mysql-old"), "digest": ("hashed-weak", "pgcrypto-digest"),
    "pgp_sym_encrypt": ("encrypted", "pgcrypto-pgp"), "pgp_pub_encrypt": ("encrypted", "pgcrypto-pgp"),
    "encrypt": ("encrypted", "pgcrypto-raw"), "aes_encrypt": ("encrypted", "aes-ecb"),
    "encode": ("encrypted", "encoded-cipher"),
}


@dataclass
class _Table:
    name: str
    line: int
    columns: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class _State:
    tables: dict[str, _Table] = field(default_factory=dict)
    values: dict[tuple[str, str], list[object]] = field(default_factory=dict)
    first_line: dict[str, int] = field(default_factory=dict)
    grants: list[dict[str, Any]] = field(default_factory=list)
    sampled: dict[str, int] = field(default_factory=dict)
    statements: int = 0
    insert_statements: int = 0
    insert_rows: int = 0
    copy_rows: int = 0
    long_ddl: int = 0
    unread: list[dict[str, Any]] = field(default_factory=list)  # statements and tables that could not be read

    def add_rows(self, table: str, columns: list[str], rows: list[list[Any]], line: int, limit: int) -> None:
        self.first_line.setdefault(table, line)
        if not columns:
            known = self.tables.get(table)
            width = max((len(r) for r in rows), default=0)
            columns = [c for c, _ in known.columns] if known else [f"column_{i + 1}" for i in range(width)]
        for row in rows:
            for name, value in zip(columns, row, strict=False):
                bucket = self.values.setdefault((table, name), [])
                if len(bucket) < limit:
                    bucket.append(value)


class _LineCounter:
    """Line numbers for increasing offsets in one pass (no re-counting from the start)."""

    def __init__(self, text: str) -> None:
        self.text, self.offset, self.line = text, 0, 1

    def at(self, offset: int) -> int:
        if offset < self.offset:
            self.offset, self.line = 0, 1
        self.line += self.text.count("\n", self.offset, offset)
        self.offset = offset
        return self.line


def _create_table(stmt: sqltokens.Statement) -> tuple[str, list[tuple[str, str]]] | None:
    tokens = [t for t in stmt.tokens if not t.is_whitespace]
    words = [t.normalized.upper() for t in tokens[:6]]
    if "TABLE" not in words:
        return None
    name: str | None = None
    body: str | None = None
    for tok in tokens:
        if isinstance(tok, sqltokens.Identifier) and name is None:
            name = unquote(str(tok).split("(")[0])
            paren = next((t for t in tok.tokens if isinstance(t, sqltokens.Parenthesis)), None)
            if paren is not None:
                body = str(paren)[1:-1]
        elif isinstance(tok, sqltokens.Function) and name is None:
            name = unquote(str(tok.tokens[0]))
            paren = next((t for t in tok.tokens if isinstance(t, sqltokens.Parenthesis)), None)
            if paren is not None:
                body = str(paren)[1:-1]
        elif isinstance(tok, sqltokens.Parenthesis) and name is not None and body is None:
            body = str(tok)[1:-1]
    if name is None or body is None:
        return None
    columns: list[tuple[str, str]] = []
    for part in split_top(body):
        words_ = part.split()
        quoted = words_ and words_[0].startswith(("`", '"'))
        if not words_ or (not quoted and words_[0].upper() in _CONSTRAINT_WORDS):
            continue
        col = unquote(words_[0])
        columns.append((col, _column_type(part[len(words_[0]):])))
    return name, columns


_TYPE_END = re.compile(
    r"(?<!\s)\s+(?:NOT\b|NULL\b|DEFAULT\b|PRIMARY\b|REFERENCES\b|COMMENT\b|CHECK\b|UNIQUE\b|GENERATED\b|COLLATE\b|"
    r"AUTO_INCREMENT\b|AUTOINCREMENT\b|CONSTRAINT\b|CHARACTER\s+SET\b|ON\s+UPDATE\b)",
    re.I,
)


def _column_type(rest: str) -> str:
    """``character varying(100) NOT NULL`` -> ``character varying(100)``."""
    rest = " " + rest.strip()
    m = _TYPE_END.search(rest)
    return (rest[: m.start()] if m else rest).strip()[:60]


def _grant(stmt: str, line: int) -> dict[str, Any] | None:
    m = _GRANT.match(stmt)
    if not m:
        return None
    grantees = [g.strip().strip("`'\"") for g in split_top(m.group(4))]
    return {
        "line": line,
        "privileges": [p.strip().upper() for p in split_top(m.group(1))],
        "object_type": (m.group(2) or "").upper() or None,
        "object": unquote(m.group(3).strip()),
        "grantees": grantees,
        "to_public": any(g.upper() == "PUBLIC" for g in grantees),
    }


def _call_protection(values: list[object]) -> dict[str, Any] | None:
    calls = [v for v in values if isinstance(v, Call)]
    non_null = [v for v in values if v is not None]
    if not non_null or len(calls) / len(non_null) < 0.9:
        return None
    name = Counter(c.name for c in calls).most_common(1)[0][0]
    state, scheme = _CALL_PROTECTION.get(name, ("unknown", name))
    if name == "crypt":
        salts = " ".join(str(a) for c in calls for a in c.args if isinstance(a, Call))
        state, scheme = ("hashed-strong", "crypt-bf") if "'bf'" in salts or "bf" in salts else ("hashed-weak", "crypt")
    literal = any(isinstance(c.args[0], str) for c in calls if c.args)
    note_en = " The input literal is written in the file in plaintext." if literal else ""
    note_id = " Nilai masukan tertulis sebagai teks biasa di dalam berkas." if literal else ""
    return {
        "state": state, "scheme": f"sql:{scheme}",
        "evidence": {
            "en": f"Values are computed in SQL with {name}().{note_en}",
            "id": f"Nilai dihitung di SQL dengan {name}().{note_id}",
        },
        "ratio": round(len(calls) / len(non_null), 4), "distinct_ratio": 0.0, "deterministic": None,
        "work_factor": None, "input_in_file": literal,
    }


def _literals(values: list[object]) -> list[object]:
    """Values as the classifiers see them; a call contributes nothing (handled separately)."""
    return [None if isinstance(v, Call) else v for v in values]


def _statement_kind(stmt: str) -> str:
    head = stmt.lstrip().split(None, 2)
    return " ".join(w.upper() for w in head[:2])


def analyze_sql(text: str, source: str, *, sample_rows: int = SAMPLE_ROWS) -> dict[str, Any]:
    """Observe one SQL text; ``source`` is a path or label recorded in the facts.

    Returns plain JSON data (documented in docs/facts/sqlfile.md)::

        {"source": str, "statements": int, "dialect": "mysql"|"postgresql"|"sqlite"|"unknown",
         "tables":  [{"name", "line", "columns": [{"name", "type"}]}],
         "columns": [{"key": "table.column", "table", "column", "type", "line", "kind",
                      "category", "sensitivity", "confidence", "match_ratio", "sample_size",
                      "name_hit", "minor_count", "child_data", "masked_examples": [...],
                      "protection": {"state", "scheme", "evidence": {"id", "en"}, ...} | None}],
         "credentials": [{"key", "table", "column", "purpose", "sample_size", "protection": {...}}],
         "grants": [{"line", "privileges": [...], "object", "grantees": [...], "to_public": bool}],
         "rows": {"insert_parsed": int, "insert_statements": int, "copy": int}}
    """
    body, copies = extract_copy_blocks(text, sample_rows)
    state = _State()
    lines = _LineCounter(body)
    for start, raw in split_statements(body):
        stmt = strip_leading_comments(raw)
        if not stmt.strip() or stmt.strip() == ";":
            continue
        line = lines.at(start + (len(raw) - len(stmt)))
        state.statements += 1
        # each statement is read on its own: one that breaks the parser (nesting beyond sqlparse's limit)
        # is recorded as unread, and the others are still read
        read = subcheck(f"statement at line {line}", partial(_read_statement, state, stmt, line, sample_rows))
        if read["status"] != SubStatus.OK:
            state.unread.append({"line": line, "statement": _statement_kind(stmt), **read})
    for block in copies:
        state.copy_rows += block.row_count
        state.add_rows(block.table, block.columns, list(block.rows), block.line, sample_rows)
    facts = _facts(text, source, state, copies)
    if state.long_ddl:
        record_limit(facts, "sqlfile_ddl", MAX_DDL, state.long_ddl)
    if state.unread:
        facts["unread"] = state.unread
        record_limit(facts, "sqlfile_unread", len(state.unread))
    return facts


def _read_statement(state: _State, stmt: str, line: int, sample_rows: int) -> dict[str, Any]:
    """Add what one statement says (a table, sampled rows, a grant) to ``state``."""
    kind = _statement_kind(stmt)
    if kind.startswith("CREATE") and " TABLE" in stmt[:120].upper() and len(stmt) >= MAX_DDL:
        state.long_ddl += 1
    elif kind.startswith("CREATE") and " TABLE" in stmt[:120].upper():
        parsed = _create_table(sqlparse.parse(stmt)[0])
        if parsed:
            name, definitions = parsed
            state.tables[name] = _Table(name, line, definitions)
    elif kind.startswith(("INSERT", "REPLACE")):
        m = _INSERT.match(stmt[:4000])
        if m:
            table = unquote(m.group(1))
            columns = [unquote(c) for c in split_top(m.group(2)[1:-1])] if m.group(2) else []
            state.insert_statements += 1
            room = sample_rows - state.sampled.get(table, 0)
            if room > 0:
                rows = value_tuples(stmt[m.end():].rstrip().rstrip(";"), limit=room)
                state.sampled[table] = state.sampled.get(table, 0) + len(rows)
                state.insert_rows += len(rows)
                state.add_rows(table, columns, rows, line, sample_rows)
            else:
                state.first_line.setdefault(table, line)
    elif kind.startswith("GRANT"):
        grant = _grant(stmt, line)
        if grant:
            state.grants.append(grant)
    return {"status": SubStatus.OK}


def _dialect(text: str) -> str:
    head = text[:200_000]
    if re.search(r"ENGINE\s*=|`\w+`|/\*!\d+", head):
        return "mysql"
    if re.search(r"FROM stdin;|pg_dump|SET search_path|::\w+|CREATE EXTENSION", head):
        return "postgresql"
    if re.search(r"PRAGMA |BEGIN TRANSACTION;|AUTOINCREMENT", head, re.I):
        return "sqlite"
    return "unknown"


def _table_facts(state: _State, table: str, cols: list[tuple[str, str]]) -> dict[str, Any]:
    """The personal-data columns (settled as one table) and the credential columns of one table."""
    defined = state.tables[table].line if table in state.tables else None
    data_line = state.first_line.get(table)  # the first INSERT/COPY: where the personal data is written
    items: list[dict[str, Any]] = []
    credentials: list[dict[str, Any]] = []
    for column, col_type in cols:
        values = state.values.get((table, column), [])
        ref = ColumnRef(table, column, col_type, data_line if values and data_line else defined or data_line)
        call = _call_protection(values)
        cred = credential_facts(ref, _literals(values))
        if cred is not None:
            if call:
                cred["protection"] = call
            credentials.append(cred)
            continue
        item = column_facts(ref, _literals(values))
        if item is None:
            continue
        if call:
            item["protection"] = call
        item["has_values"] = bool(values)
        items.append(item)
    return {"status": SubStatus.OK, "columns": settle_table(items), "credentials": credentials}


def _facts(text: str, source: str, state: _State, copies: list[Any]) -> dict[str, Any]:
    columns: list[dict[str, Any]] = []
    credentials: list[dict[str, Any]] = []
    names: dict[str, list[tuple[str, str]]] = {t.name: list(t.columns) for t in state.tables.values()}
    for (table, column) in state.values:
        cols = names.setdefault(table, [])
        if column not in [c for c, _ in cols]:
            cols.append((column, ""))
    for table, cols in names.items():
        # each table is classified on its own: one that fails is recorded as unread, the others are kept
        found = subcheck(f"table {table}", partial(_table_facts, state, table, cols))
        if found["status"] != SubStatus.OK:
            state.unread.append({"table": table, **found})
            continue
        columns.extend(found["columns"])
        credentials.extend(found["credentials"])
    return {
        "source": source,
        "size_bytes": len(text.encode("utf-8", "replace")),
        "dialect": _dialect(text),
        "statements": state.statements,
        "tables": [
            {"name": t.name, "line": t.line, "columns": [{"name": c, "type": ty} for c, ty in t.columns]}
            for t in state.tables.values()
        ],
        "columns": columns,
        "credentials": credentials,
        "grants": state.grants,
        "rows": {"insert_parsed": state.insert_rows, "insert_statements": state.insert_statements,
                 "copy": state.copy_rows},
        "copy_blocks": len(copies),
    }
