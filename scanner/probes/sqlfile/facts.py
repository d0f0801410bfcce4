"""The sqlfile probe's facts model: what ``SqlFileProbe.run`` returns (prose: docs/facts/sqlfile.md).

``docs/facts/sqlfile.schema.json`` is generated from :class:`SqlFileFacts` (``scripts/facts-schemas``);
the analysis itself (:class:`scanner.probes.facts.SqlAnalysis`) is shared with the code probe's SQL files.
"""

from __future__ import annotations

from pydantic import Field

from scanner.probes.facts import SqlAnalysis

FACTS_VERSION = "1"
"""Bumped when a field is removed or changes meaning (adding a field keeps the version)."""


class SqlFileFacts(SqlAnalysis):
    """Facts of the ``sqlfile`` probe: one SQL dump or migration (nothing is executed)."""

    size_bytes: int = Field(description="the file's size (the analysis may have read fewer: `truncated`)")
    truncated: bool = Field(description="only the first max_bytes were read")
