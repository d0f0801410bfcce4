"""WordPress login names in author-archive paths (``/author/<login>/``), masked in every fact.

A home page links its authors' archives; the crawl records those paths (``pages_checked``,
``personal_data.pages[].path``, ``judol_pages[].views[].final_url``). The login name is personal
data and half a credential, so each fact shows it masked, as PND-HTTP-042's examples do.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

from scanner.pii.masked_forms import mask

_AUTHOR_PATH = re.compile(r"(/author/)([^/?#\s\"'<>]+)", re.IGNORECASE)


def _masked(match: re.Match[str]) -> str:
    return match.group(1) + mask("name", unquote(match.group(2))[:100])


def mask_author_paths(value: Any) -> Any:
    """Copy of JSON-like ``value`` with the login name of every ``/author/<login>`` path masked."""
    if isinstance(value, str):
        return _AUTHOR_PATH.sub(_masked, value) if "/author/" in value.lower() else value
    if isinstance(value, dict):
        return {k: mask_author_paths(v) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_author_paths(v) for v in value]
    return value
