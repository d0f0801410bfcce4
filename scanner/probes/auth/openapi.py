"""Endpoint discovery from an OpenAPI (3.x) or Swagger (2.0) document, JSON or YAML."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import yaml

from scanner.yamlio import load_yaml

_PARAM = re.compile(r"\{([^{}/]+)\}")  # no "{" inside: each "{" scans only to the next one (linear)
_YAML_ALIAS = re.compile(r"(^|[\s\[{,:-])[&*][A-Za-z0-9_-]+", re.M)
MAX_DOCUMENT = 1_000_000
SAMPLE_VALUE = "1"  # harmless value for a path parameter without an example (ids, page numbers)


@dataclass(frozen=True)
class Discovered:
    """A GET endpoint found in the document."""

    path: str
    declared_public: bool  # the operation sets ``security: []`` explicitly
    declared_security: bool = False  # the operation (or the document) requires a security scheme


@dataclass
class Discovery:
    endpoints: list[Discovered]
    skipped: list[dict[str, str]]
    usable: int = 0  # operations that could be called; more than ``len(endpoints)`` when the limit cut them


def parse_document(text: str) -> dict[str, Any]:
    """The description as a dict; YAML only without anchors/aliases (no alias bombs)."""
    text = text[:MAX_DOCUMENT]
    try:
        doc = json.loads(text)
    except RecursionError:
        raise ValueError("document nested too deeply") from None
    except ValueError:
        if _YAML_ALIAS.search(text):
            raise ValueError("YAML with anchors or aliases is not read") from None
        try:
            doc = load_yaml(text, cache=False)  # a target's document never goes to the cache
        except (yaml.YAMLError, RecursionError) as exc:
            raise ValueError(f"neither JSON nor YAML: {type(exc).__name__}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("paths"), dict):
        raise ValueError("document has no 'paths' object")
    return doc


def version(doc: dict[str, Any]) -> str:
    """``openapi-3.0.3``, ``swagger-2.0`` or ``unknown``."""
    for name in ("openapi", "swagger"):
        if isinstance(doc.get(name), (str, int, float)):
            return f"{name}-{doc[name]}"
    return "unknown"


def servers(doc: dict[str, Any]) -> list[str]:
    """Server URLs as written: OpenAPI 3 ``servers``, or Swagger 2 ``host`` + ``basePath``."""
    if isinstance(doc.get("servers"), list):
        return [str(s["url"]) for s in doc["servers"] if isinstance(s, dict) and isinstance(s.get("url"), str)]
    base = doc["basePath"] if isinstance(doc.get("basePath"), str) else ""
    if isinstance(doc.get("host"), str):
        schemes = doc.get("schemes")
        scheme = str(schemes[0]) if isinstance(schemes, list) and schemes else "https"
        return [f"{scheme}://{doc['host']}{base}"]
    return [base] if base else []


def _example(param: dict[str, Any], fill_missing: bool) -> str | None:
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
    return SAMPLE_VALUE if fill_missing else None


def _fill(path: str, params: list[dict[str, Any]], fill_missing: bool) -> str | None:
    """``path`` with every ``{name}`` replaced by its example, or None if one is missing."""
    by_name = {p.get("name"): p for p in params if isinstance(p, dict) and p.get("in") == "path"}
    examples = {name: _example(by_name.get(name, {}), fill_missing) for name in set(_PARAM.findall(path))}
    if None in examples.values():
        return None
    return _PARAM.sub(lambda m: str(examples[m.group(1)]), path)  # one pass, however many parameters


def _base_path(doc: dict[str, Any]) -> str:
    if isinstance(doc.get("basePath"), str):
        return doc["basePath"].rstrip("/")
    urls = servers(doc)
    return urls[0].rstrip("/") if urls and urls[0].startswith("/") else ""


def _requires_security(doc: dict[str, Any], operation: dict[str, Any]) -> bool:
    security = operation.get("security", doc.get("security"))
    return isinstance(security, list) and any(isinstance(s, dict) and s for s in security)


DISCOVERY_LIMIT = 50


def operations(doc: dict[str, Any], base: str, limit: int = DISCOVERY_LIMIT, fill_missing: bool = False) -> Discovery:
    """GET operations under ``base``; path parameters take their example (or a sample value).

    At most ``limit`` are returned; ``Discovery.usable`` counts every callable one, so a cut is visible.
    """
    found: list[Discovered] = []
    skipped: list[dict[str, str]] = []
    usable = 0
    for path, item in doc["paths"].items():
        if not isinstance(item, dict) or not isinstance(item.get("get"), dict) or not isinstance(path, str):
            continue
        operation = item["get"]
        params = list(item.get("parameters") or []) + list(operation.get("parameters") or [])
        filled = _fill(path, params, fill_missing)
        if filled is None:
            skipped.append({"path": path, "reason": "path parameter without an example value"})
            continue
        public = "security" in operation and operation["security"] == []
        usable += 1
        if len(found) < limit:
            found.append(Discovered(base + filled, public, _requires_security(doc, operation)))
    return Discovery(found, skipped, usable)


def discover(text: str, limit: int = DISCOVERY_LIMIT) -> Discovery:
    """GET operations without path parameters (or with examples for all of them)."""
    doc = parse_document(text)
    return operations(doc, _base_path(doc), limit)
