"""Which tables and columns a database scan reads: ``options.database.include`` / ``exclude``.

Patterns are regular expressions matched in full, case-insensitively, against
``schema.table`` and ``schema.table.column`` (SQLite's schema is ``main``). A table is read when
no ``include`` is given or one matches the table or one of its columns, and no ``exclude``
matches the table; a column when its table is read, ``include`` (if given) matches its table or
the column, and no ``exclude`` matches the column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any


class ScopeError(ValueError):
    """A pattern that is not a valid regular expression."""


def compile_patterns(patterns: list[str]) -> list[re.Pattern[str]]:
    """Compile ``patterns``; raise :class:`ScopeError` naming the first invalid one."""
    compiled: list[re.Pattern[str]] = []
    for p in patterns:
        try:
            compiled.append(re.compile(p, re.IGNORECASE))
        except re.error as exc:
            raise ScopeError(f"{p!r} is not a valid regular expression: {exc}") from None
    return compiled


@dataclass
class DatabaseScope:
    """Include/exclude patterns of one database target, with counts of what they left out."""

    include: list[re.Pattern[str]] = field(default_factory=list)
    exclude: list[re.Pattern[str]] = field(default_factory=list)
    tables_excluded: int = 0
    columns_excluded: int = 0

    @classmethod
    def from_patterns(cls, include: list[str], exclude: list[str]) -> DatabaseScope:
        return cls(compile_patterns(include), compile_patterns(exclude))

    @staticmethod
    def _any(patterns: list[re.Pattern[str]], name: str) -> bool:
        return any(p.fullmatch(name) for p in patterns)

    def wants_table(self, table: str, columns: list[str]) -> bool:
        """Whether ``table`` (``schema.table``) is read at all."""
        if self._any(self.exclude, table):
            return False
        return not self.include or self._any(self.include, table) \
            or any(self._any(self.include, f"{table}.{c}") for c in columns)

    def wants_column(self, table: str, column: str) -> bool:
        """Whether ``column`` of a table that is read is sampled and judged."""
        full = f"{table}.{column}"
        if self._any(self.exclude, full):
            return False
        return not self.include or self._any(self.include, table) or self._any(self.include, full)

    def facts(self) -> dict[str, Any]:
        return {"include": [p.pattern for p in self.include], "exclude": [p.pattern for p in self.exclude],
                "tables_excluded": self.tables_excluded, "columns_excluded": self.columns_excluded}
