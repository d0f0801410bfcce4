"""SQL files of a tree (migrations, seeds, small dumps) analysed by the sqlfile probe's ``analyze_sql``."""

from __future__ import annotations

from typing import Any

from scanner.probes.code.walk import SourceFile


def analyze_sql_files(files: list[SourceFile]) -> list[dict[str, Any]]:
    """One entry per ``*.sql`` file: ``{"path", "status", ...analyze_sql result}`` or inconclusive."""
    from scanner.probes.sqlfile.analyze import analyze_sql

    entries: list[dict[str, Any]] = []
    for source in files:
        if not source.rel.lower().endswith(".sql"):
            continue
        try:
            analysis = analyze_sql(source.text, source.rel)
        except Exception as exc:  # one unparsable file must not lose the others
            entries.append({"path": source.rel, "status": "inconclusive", "reason": f"{type(exc).__name__}: {exc}"})
            continue
        entries.append({"path": source.rel, "status": "ok", **analysis})
    return entries
