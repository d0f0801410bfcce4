"""Target options the tls probe reads (checked when a profile is read)."""

from __future__ import annotations

from pydantic import Field

from scanner.probes.base import ProbeOptions


class TlsOptions(ProbeOptions):
    tls: bool = False  # a database target: also scan its TLS
    tls_port: int | None = Field(default=None, ge=1, le=65535)
    tls_timeout: float | None = Field(default=None, gt=0, le=300)
    starttls: str | None = None
    sni: str | None = None
    ca_file: str | None = None
