"""Target options the sqlfile probe reads (checked when a profile is read)."""

from __future__ import annotations

from pydantic import Field

from scanner.probes.base import ProbeOptions


class SqlFileOptions(ProbeOptions):
    max_bytes: int = Field(default=64 * 1024 * 1024, ge=1)  # larger dumps are analysed up to this many bytes
    sample_rows: int | None = Field(default=None, ge=1, le=100_000)  # values kept per column (default: the analyser's)
