"""Endpoint discovery from an OpenAPI (3.x) or Swagger (2.0) JSON document."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

_PARAM = re.compile(r"\{([^}/]+)\}")


@dataclass(frozen=True)
class Discovered:
    """A GET endpoint found in the document."""

    path: str
    declared_public: bool  # the operation sets ``security: []`` explicitly


@dataclass
class Discovery:
    endpoints: list[Discovered]
    skipped: list[dict[str, str]]


def _example(param: dict[str, Any]) -> str | None:
    for holder in (param, param.get("schema") or {}):
        for key in ("example", "x-example", "default"):
            if key in holder:
                return str(holder[key])
        examples = holder.get("examples")
        if isinstance(examples, dict) and examples:
            first = next(iter(examples.values()))
            if isinstance(first, dict) and "value" in first:
                return str(first["value"])
        if isinstance(examples, list) and examples:
            return str(examples[0])
    return None


def _fill(path: str, params: list[dict[str, Any]]) -> str | None:
    """``path`` with every ``{name}`` replaced by its example, or None if one is missing."""
    by_name = {p.get("name"): p for p in params if isinstance(p, dict) and p.get("in") == "path"}
    filled = path
    for name in _PARAM.findall(path):
        example = _example(by_name.get(name, {}))
        if example is None:
            return None
        filled = filled.replace("{" + name + "}", example)
    return filled


def _base_path(doc: dict[str, Any]) -> str:
    if isinstance(doc.get("basePath"), str):
        return doc["basePath"].rstrip("/")
    servers = doc.get("servers")
    if isinstance(servers, list) and servers and isinstance(servers[0], dict):
        url = str(servers[0].get("url", ""))
        if url.startswith("/"):
            return url.rstrip("/")
    return ""


def discover(text: str, limit: int = 50) -> Discovery:
    """GET operations without path parameters (or with examples for all of them).

    Raises ValueError for a document that is not JSON, has no ``paths`` or is nested too deeply.
    """
    try:
        doc = json.loads(text)
    except RecursionError as exc:  # a hostile document of a million "[": refuse, do not crash
        raise ValueError("document is nested too deeply to read") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("paths"), dict):
        raise ValueError("document has no 'paths' object")
    base = _base_path(doc)
    found: list[Discovered] = []
    skipped: list[dict[str, str]] = []
    for path, item in doc["paths"].items():
        if not isinstance(item, dict) or not isinstance(item.get("get"), dict):
            continue
        operation = item["get"]
        params = list(item.get("parameters") or []) + list(operation.get("parameters") or [])
        filled = _fill(path, params)
        if filled is None:
            skipped.append({"path": path, "reason": "path parameter without an example value"})
            continue
        public = "security" in operation and operation["security"] == []
        found.append(Discovered(base + filled, public))
        if len(found) >= limit:
            break
    return Discovery(found, skipped)
