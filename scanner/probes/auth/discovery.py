"""Discovery of the black-box mode: robots.txt and sitemap references, API descriptions (OpenAPI 3 /
Swagger 2) at well-known and linked paths, GraphQL introspection, and the candidate endpoints in order.

The start page and its scripts are read by ``blackbox.py``; guessed routes by ``routes.py``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

from scanner.probes.auth import openapi
from scanner.probes.auth.client import RequestFailed, origin_of, path_of
from scanner.probes.auth.endpoint import Endpoint
from scanner.probes.auth.harvest import Harvest, kind, resolved
from scanner.probes.base import SubStatus

MAX_ENDPOINTS = 50
MAX_BUNDLE_BYTES = 512_000
MAX_LINKED_DESCRIPTIONS = 3
DESCRIPTION_PATHS = (
    "/openapi.json", "/openapi.yaml", "/swagger.json", "/swagger/v1/swagger.json", "/v2/api-docs",
    "/v3/api-docs", "/api-docs", "/api/swagger.json", "/api/openapi.json",
)
GRAPHQL_PATHS = ("/graphql", "/api/graphql")
INTROSPECTION = "{__schema{queryType{name} types{name}}}"
# the order in which references become candidates, after the API descriptions' operations
REFERENCE_ORDER = ("routes", "scripts", "inline-scripts", "forms", "robots", "sitemap", "links")
_STATIC = re.compile(r"\.(css|js|mjs|map|png|jpe?g|gif|svg|ico|webp|woff2?|ttf|pdf|zip|mp4)$", re.I)


def text_refs(harvest: Harvest, path: str, read: Callable[[str], list[str]]) -> list[str]:
    """References in a plain-text file of the origin (robots.txt, a sitemap), made absolute."""
    url = urljoin(harvest.origin + "/", path)
    if not harvest.in_scope(url):
        return []
    try:
        reply = harvest.get(url, limit=MAX_BUNDLE_BYTES)
    except RequestFailed:
        return []
    if reply.status != 200 or kind(reply) == "html":
        return []
    return resolved(url, read(reply.text))


def descriptions(harvest: Harvest, linked: list[str], discovery: dict[str, Any]) -> list[Endpoint]:
    """GET operations of every API description found at the well-known paths and the linked ones."""
    urls = [urljoin(harvest.origin + "/", p) for p in DESCRIPTION_PATHS]
    urls += [u for u in linked if u not in urls and origin_of(u) == harvest.origin][:MAX_LINKED_DESCRIPTIONS]
    found: list[Endpoint] = []
    facts: list[dict[str, Any]] = []
    seen_docs: set[int] = set()
    for url in urls:
        item: dict[str, Any] = {"path": path_of(url)}
        try:
            reply = harvest.get(url)
        except RequestFailed as exc:
            facts.append({**item, "status": SubStatus.INCONCLUSIVE, "reason": str(exc)})
            continue
        item["http_status"] = reply.status
        if reply.status != 200 or kind(reply) == "html":
            continue  # absent: not listed, only counted
        try:
            doc = openapi.parse_document(reply.text)
        except ValueError as exc:
            facts.append({**item, "status": "invalid", "reason": str(exc)})
            continue
        if hash(reply.text) in seen_docs:
            continue
        seen_docs.add(hash(reply.text))
        item.update(status="found", version=openapi.version(doc))
        found += _operations(harvest, doc, url, item)
        facts.append(item)
    discovery["descriptions_checked"] = len(urls)
    discovery["descriptions"] = facts
    return found


def _operations(harvest: Harvest, doc: dict[str, Any], doc_url: str, item: dict[str, Any]) -> list[Endpoint]:
    servers = resolved(doc_url, openapi.servers(doc) or ["/"])
    inside = [s for s in servers if harvest.in_scope(s)]
    item["servers_in_scope"] = len(inside)
    item["servers_outside_scope"] = len(servers) - len(inside)
    if not inside:
        item["operations"] = 0
        return []
    result = openapi.operations(doc, "", MAX_ENDPOINTS, fill_missing=True)
    base = inside[0].rstrip("/")
    item["operations"] = len(result.endpoints)
    item["secured_operations"] = sum(1 for d in result.endpoints if d.declared_security)
    return [Endpoint("GET", base + d.path, source="openapi", declared_public=d.declared_public,
                     declared_security=d.declared_security) for d in result.endpoints]


def graphql(harvest: Harvest, path: str) -> dict[str, Any]:
    """Whether GraphQL introspection answers a GET at ``path``."""
    url = urljoin(harvest.origin + "/", path) + "?query=" + quote(INTROSPECTION)
    facts: dict[str, Any] = {"path": path, "introspection": False}
    try:
        reply = harvest.get(url)
    except RequestFailed as exc:
        return {**facts, "status": SubStatus.INCONCLUSIVE, "reason": str(exc)}
    facts.update(status="ok", http_status=reply.status)
    try:
        body = json.loads(reply.text) if kind(reply) == "json" else None
    except (ValueError, RecursionError):
        body = None
    data = body.get("data") if isinstance(body, dict) else None
    schema = data.get("__schema") if isinstance(data, dict) else None
    if reply.status_class == "2xx" and isinstance(schema, dict):
        types = schema.get("types")
        facts.update(introspection=True, types=len(types) if isinstance(types, list) else 0)
    return facts


def candidates(harvest: Harvest, documented: list[Endpoint], refs: dict[str, list[str]],
               discovery: dict[str, Any]) -> list[Endpoint]:
    """The endpoints to test, without duplicates: described operations first, then each source in
    ``REFERENCE_ORDER`` (static files and the GraphQL paths left out), at most ``MAX_ENDPOINTS``."""
    order = [name for name in REFERENCE_ORDER if name in refs]
    discovery["sources"] = {"openapi": len(documented), **{name: len(refs[name]) for name in order}}
    found: dict[str, Endpoint] = {}
    for endpoint in documented:
        found.setdefault(endpoint.url.split("#", 1)[0], endpoint)
    for name in order:
        for url in refs[name]:
            url = url.split("#", 1)[0]
            path = urlsplit(url).path
            if harvest.in_scope(url) and not _STATIC.search(path) and path not in GRAPHQL_PATHS:
                found.setdefault(url, Endpoint("GET", url, source=name))
    chosen = list(found.values())
    discovery["endpoints_found"] = len(chosen)
    discovery["endpoints_over_limit"] = max(0, len(chosen) - MAX_ENDPOINTS)
    discovery["siblings"] = []
    discovery["discarded"] = []
    return chosen[:MAX_ENDPOINTS]
