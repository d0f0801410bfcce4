"""Renderers: each module exposes ``render(result, ruleset, lang) -> str``."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from scanner.model import ScanResult

if TYPE_CHECKING:
    from scanner.judging.rules import RuleSet

Renderer = Callable[[ScanResult, "RuleSet", str], str]

# output option name -> module under scanner.report
FORMATS: dict[str, str] = {
    "json": "json_report",
    "table": "table",
    "html": "html",
    "sarif": "sarif",
    "junit": "junit",
    "csv": "csv_report",
    "markdown": "markdown_report",
    "gitlab_sast": "gitlab_sast",
    "codequality": "codequality",
}


def renderer(fmt: str) -> Renderer:
    """Return the render function of an output format."""
    module = importlib.import_module(f"scanner.report.{FORMATS[fmt]}")
    render: Renderer = module.render
    return render
