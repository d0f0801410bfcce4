"""Target options the http probe reads (checked when a profile is read)."""

from __future__ import annotations

from pydantic import Field

from scanner.probes.base import ProbeOptions


class HttpOptions(ProbeOptions):
    max_pages: int | None = Field(default=None, ge=0, le=1000)
    pages: list[str] | None = None
    cors_paths: list[str] | None = None
    judol_pages: int | None = Field(default=None, ge=0, le=100)
    exposures: bool | None = None
    verify_tls: bool | None = None
    ca_bundle: str | None = None
    http_port: int | None = Field(default=None, ge=1, le=65535)
