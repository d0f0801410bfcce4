"""Target options the http probe reads (checked when a profile is read)."""

from __future__ import annotations

from pydantic import Field

from scanner.probes.base import VerifyOptions


class HttpOptions(VerifyOptions):
    max_pages: int = Field(default=10, ge=0, le=1000)  # same-site links followed from the main page
    pages: list[str] = Field(default_factory=list)  # extra paths to check
    cors_paths: list[str] = Field(default_factory=list)  # extra paths for the CORS check
    judol_pages: int = Field(default=5, ge=0, le=100)  # linked pages viewed as Googlebot and a search visitor
    exposures: bool = True  # run the exposure checks
    http_port: int = Field(default=80, ge=1, le=65535)  # port of the plain-HTTP twin of an https:// target
