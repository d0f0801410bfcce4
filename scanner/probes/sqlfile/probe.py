"""The ``sqlfile`` probe: personal data, weak hashes and PUBLIC grants in a ``.sql`` file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scanner.model import Target, TargetKind
from scanner.probes.base import ProbeContext, ProbeInconclusive, record_limit
from scanner.probes.sqlfile import SPEC
from scanner.probes.sqlfile.options import SqlFileOptions
from scanner.sql.analyze import SAMPLE_ROWS, analyze_sql


class SqlFileProbe:
    """Observe a SQL dump or migration file (nothing is executed)."""

    name = SPEC.name

    def applies_to(self, target: Target) -> bool:
        return target.kind is TargetKind.SQLFILE

    def run(self, target: Target, ctx: ProbeContext) -> dict[str, Any]:
        path = Path(target.location)
        opts = SqlFileOptions.of(target)
        max_bytes = opts.max_bytes
        try:
            size = path.stat().st_size
            with path.open("rb") as fh:
                raw = fh.read(max_bytes)
        except OSError as exc:
            raise ProbeInconclusive(f"cannot read {path}: {exc.strerror or exc}") from None
        text = raw.decode("utf-8", errors="replace")
        if len(raw) < size:
            text = text[: text.rfind("\n") + 1]  # do not analyse a cut statement
        facts = analyze_sql(text, str(path), sample_rows=opts.sample_rows or SAMPLE_ROWS)
        facts["size_bytes"] = size
        facts["truncated"] = len(raw) < size
        if facts["truncated"]:
            record_limit(facts, "sqlfile_bytes", max_bytes, size)
        return facts
