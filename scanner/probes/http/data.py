"""Versioned data files of the http probe (rules/http/*.yaml), loaded once."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from scanner.resources import rules_dir
from scanner.yamlio import load_yaml


def data_dir() -> Path:
    return rules_dir() / "http"


@lru_cache(maxsize=8)
def load(name: str) -> dict[str, Any]:
    """Parsed ``rules/http/<name>.yaml``; raises on a missing or malformed file."""
    raw = load_yaml((data_dir() / f"{name}.yaml").read_text(encoding="utf-8"))
    if not isinstance(raw, dict) or "version" not in raw:
        raise ValueError(f"rules/http/{name}.yaml: needs a 'version'")
    return raw
