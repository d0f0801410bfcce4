"""SQL files of a tree (migrations, seeds, small dumps), each analysed by ``scanner.sql.analyze``."""

from __future__ import annotations

from functools import partial
from typing import Any

from scanner.probes.base import SubStatus, subcheck
from scanner.probes.code.walk import SourceFile
from scanner.sql.analyze import analyze_sql


def _analysis(source: SourceFile) -> dict[str, Any]:
    return {"status": SubStatus.OK, **analyze_sql(source.text, source.rel)}


def analyze_sql_files(files: list[SourceFile]) -> list[dict[str, Any]]:
    """One entry per ``*.sql`` file: ``{"path", "status", ...analyze_sql result}``, or inconclusive on its own."""
    return [{"path": source.rel, **subcheck(f"sql {source.rel}", partial(_analysis, source))}
            for source in files if source.rel.lower().endswith(".sql")]
