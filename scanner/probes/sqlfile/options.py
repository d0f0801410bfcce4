"""Target options the sqlfile probe reads (checked when a profile is read)."""

from __future__ import annotations

from pydantic import Field

from scanner.probes.base import ProbeOptions


class SqlFileOptions(ProbeOptions):
    max_bytes: int | None = Field(default=None, ge=1)
    sample_rows: int | None = Field(default=None, ge=1, le=100_000)
