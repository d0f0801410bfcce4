"""Incremental database scans (``pindai scan --changed-only``): sample only new or altered columns.

Every scan's facts carry a schema fingerprint per column (table, column, type). A rescan with
the previous observation of the same target samples the columns whose fingerprint is new or
different and carries the earlier verdict of the others forward, marked ``carried_forward``.
"""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass
from typing import Any


def column_fingerprint(table: str, column: str, type_: str) -> str:
    """Stable fingerprint of a column's place and type (no values)."""
    return hashlib.sha256(f"{table}\x00{column}\x00{type_}".encode()).hexdigest()[:16]


@dataclass
class Carry:
    """The previous observation of a target: its schema fingerprints and column verdicts."""

    scan_id: str
    schema: dict[str, str]
    items: dict[str, dict[str, Any]]
    credentials: dict[str, dict[str, Any]]

    @classmethod
    def from_previous(cls, previous: dict[str, Any] | None, read_data: bool) -> Carry | None:
        """A carry from ``{"scan_id", "data"}``; ``None`` when there is nothing comparable
        (no earlier scan, facts from before fingerprints, or a different ``read_data`` mode)."""
        if not previous:
            return None
        data = previous.get("data") or {}
        schema = data.get("schema")
        if not isinstance(schema, dict) or bool(data.get("read_data", True)) != read_data:
            return None
        return cls(str(previous.get("scan_id", "")), {str(k): str(v) for k, v in schema.items()},
                   {c["key"]: c for c in data.get("columns", []) if isinstance(c, dict) and "key" in c},
                   {c["key"]: c for c in data.get("credentials", []) if isinstance(c, dict) and "key" in c})

    def unchanged(self, key: str, fingerprint: str) -> bool:
        return self.schema.get(key) == fingerprint

    def carried(self, key: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        """(column item, credential item) of ``key`` from the previous scan, marked as carried."""
        found = []
        for source in (self.items, self.credentials):
            item = source.get(key)
            if item is not None:
                item = copy.deepcopy(item)
                item.update({"carried_forward": True, "carried_from": self.scan_id})
            found.append(item)
        return found[0], found[1]
