"""Locate shipped data (rule packs, report templates) in a wheel or a source checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _data_dir(installed: str, source: str) -> Path:
    """The wheel installs data inside the package; a checkout keeps it at the top level."""
    inside = _PACKAGE / installed
    return inside if inside.is_dir() else _PACKAGE.parent / source


def rules_dir() -> Path:
    """Directory holding the rule packs and ``regulations/``."""
    return _data_dir("_data/rules", "rules")


def templates_dir() -> Path:
    """Directory holding the Jinja2 report templates."""
    return _data_dir("_data/templates", "reports/templates")


def facts_examples_dir() -> Path:
    """Directory holding ``<probe>.json`` example facts that ``pindai rules validate`` evaluates rules on."""
    return _data_dir("_data/facts-examples", "docs/facts/examples")


def facts_schemas_dir() -> Path:
    """Directory holding ``<probe>.schema.json``, the shape of each probe's facts (generated from its facts model)."""
    return _data_dir("_data/facts-schemas", "docs/facts")


def rule_cases_dir() -> Path:
    """Directory holding the shipped packs' rule cases (``<pack>.yaml``)."""
    return _data_dir("_data/rule-cases", "tests/rules/cases")
