"""Target options the database probe reads (checked when a profile is read)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator

from scanner.probes.base import ProbeOptions
from scanner.probes.database.scope import compile_patterns


class DatabaseOptions(BaseModel):
    """``options.database`` of a database target: what the scan may read (see docs/facts/database.md)."""

    model_config = ConfigDict(extra="forbid")

    include: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)
    read_data: StrictBool = True

    @field_validator("include", "exclude")
    @classmethod
    def _valid_patterns(cls, value: list[str]) -> list[str]:
        compile_patterns(value)  # ScopeError is a ValueError: reported with the field's path
        return value


class DatabaseTargetOptions(ProbeOptions):
    sample_rows: int = Field(default=200, ge=1, le=100_000)  # rows sampled per table
    max_tables: int = Field(default=500, ge=1, le=100_000)  # tables reflected
    sample_seed: int | str | None = None  # a fixed seed makes the sample repeatable
    database: DatabaseOptions = Field(default_factory=DatabaseOptions)
