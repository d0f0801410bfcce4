"""Black-box mode of the auth probe: find a site's API and test it without any credentials.

1. Read the start page, robots.txt, sitemap.xml and up to ``MAX_BUNDLES`` same-origin scripts
   for endpoints the site refers to (API-like links, GET forms, fetch/axios/$.ajax calls).
2. Fetch API descriptions (OpenAPI 3 / Swagger 2) at well-known paths and where the site links
   to them (``servers`` only inside the scope); try GraphQL introspection (GET) at two paths.
3. Soft-404/SPA safety: per parent folder, one random sibling path is requested; an endpoint
   whose 2xx/3xx answer resembles its sibling's is dropped (an SPA shell, a 200 "not found").
4. Each endpoint is requested without credentials. A refusal (401/403, a redirect to a login
   page, or a short 2xx error body) becomes the baseline for forged tokens sent to that same
   origin: ``alg`` none (4 casings), an empty and a stripped signature, HS256 with the first
   wordlist secrets, and the secret cracked from a token the same origin handed out.
5. Every JWT seen in a reply to a request without our tokens is analysed; a cracked secret
   stays in memory. All requests are GET, gated, in scope, and capped at ``REQUEST_BUDGET``.

This module runs the steps, reads the start page and keeps the soft-404 siblings; the steps live in
``harvest.py`` (requests and the tokens they hand out), ``discovery.py`` (robots, sitemap, API
descriptions, GraphQL, candidates) and ``forging.py`` (forged tokens).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from scanner.net.html import parse
from scanner.net.pageshape import Shape, shape_of
from scanner.probes.auth import SPEC, analysis, discovery, references, routes
from scanner.probes.auth.client import Client, Reply, RequestFailed, origin_of, path_of
from scanner.probes.auth.compare import NO_DATA, compare, personal_data
from scanner.probes.auth.discovery import DESCRIPTION_PATHS, GRAPHQL_PATHS, MAX_BUNDLE_BYTES, MAX_ENDPOINTS
from scanner.probes.auth.endpoint import Endpoint
from scanner.probes.auth.forging import MAX_FORGERY_TARGETS, Forger, Probed
from scanner.probes.auth.harvest import REDIRECTS, Harvest, kind, refusal, resolved
from scanner.probes.auth.routes import MAX_ROUTE_REQUESTS, RouteFinder
from scanner.probes.base import ProbeContext, ProbeInconclusive, SubStatus, record_limit, record_withheld

# 200 for the start page, references, descriptions, 50 endpoints and their forgeries (as before
# issue 29), plus route discovery's own share (docs/performance.md, "Route discovery")
REQUEST_BUDGET = 200 + MAX_ROUTE_REQUESTS
MAX_BUNDLES = 5
MAX_SIBLING_FOLDERS = 10
MAX_START_REDIRECTS = 3
__all__ = ["MAX_ENDPOINTS", "MAX_FORGERY_TARGETS", "REQUEST_BUDGET", "BlackBox", "refusal", "resolved"]


@dataclass
class BlackBox:
    """One black-box run over one target; bodies, tokens and secrets stay in its harvest and forger."""

    ctx: ProbeContext
    location: str
    words: list[str]
    harvest: Harvest = field(init=False)
    siblings: dict[str, Shape | None] = field(default_factory=dict)
    route_siblings: dict[tuple[str, bool], Shape | None] = field(default_factory=dict)  # (folder, slash)
    route_sibling_facts: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        # No credential of the user is ever sent in this mode, so certificates are not verified
        # (the TLS probe judges them); forged tokens are ours and carry nothing secret.
        client = Client(self.ctx, origin_of(self.location), budget=REQUEST_BUDGET, verify=False)
        self.harvest = Harvest(self.ctx, client)
        self.forger = Forger(self.harvest, self.words)

    # -- run -----------------------------------------------------------------------------------
    def run(self) -> dict[str, Any]:
        start = self._start_page()
        found: dict[str, Any] = {"status": SubStatus.OK, "start_page": {
            "http_status": start.status, "path": path_of(start.url), "moved": start.url != self.location}}
        refs = self._references(start, found)
        documented = discovery.descriptions(self.harvest, refs.pop("descriptions"), found)
        found["graphql"] = [discovery.graphql(self.harvest, p) for p in GRAPHQL_PATHS]
        finder = self._routes(start, refs, documented, found)
        replies = {f.url: f.reply for f in finder.found if f.testable}
        refs["routes"] = list(replies)
        candidates = discovery.candidates(self.harvest, documented, refs, found)
        endpoints = [e for e in (self._endpoint(c, found, replies.get(c.url)) for c in candidates) if e is not None]
        self.forger.crack_tokens()
        refusing = self.forger.forge_all(endpoints)
        facts: dict[str, Any] = {
            "mode": "black-box",
            "recipe": "none",
            "settings": {"endpoint_limit": MAX_ENDPOINTS, "request_budget": REQUEST_BUDGET},
            "login": {"status": SubStatus.NOT_CONFIGURED},
            "credentials": {"status": "none", "reason": "black-box scan: no profile credentials"},
            "discovery": found,
            "endpoints": [e.facts for e in endpoints],
            "tokens": analysis.token_facts(list(self.harvest.seen_tokens.values()), self.words),
            "requests_sent": self.harvest.client.sent,
        }
        _record_limits(facts, refusing)
        record_withheld(facts, self.harvest.client.session.withheld)
        return facts

    def _start_page(self) -> Reply:
        """The start page, following up to MAX_START_REDIRECTS in-scope redirects (http -> https);
        the origin under test becomes the one it ends on."""
        url = self.location
        try:
            for _ in range(MAX_START_REDIRECTS + 1):
                reply = self.harvest.get(url)
                target = resolved(url, [reply.headers.get("location", "")]) if reply.status in REDIRECTS else []
                if not target or not self.harvest.in_scope(target[0]) or target[0] == url:
                    break
                url = target[0]
        except RequestFailed as exc:
            raise ProbeInconclusive(f"start page: {exc}") from exc
        self.harvest.client.origin = origin_of(reply.url)  # forged tokens go to this origin only
        return reply

    # -- references ----------------------------------------------------------------------------
    def _references(self, start: Reply, found: dict[str, Any]) -> dict[str, list[str]]:
        doc = parse(start.text) if kind(start) == "html" else parse("")
        refs = references.from_html(doc)
        refs["scripts"] = []
        bundles: list[dict[str, Any]] = []
        for url in resolved(start.url, [src for src, _ in doc.scripts]):
            if origin_of(url) != self.harvest.origin or len(bundles) >= MAX_BUNDLES:
                continue
            try:
                reply = self.harvest.get(url, limit=MAX_BUNDLE_BYTES)
            except RequestFailed as exc:
                bundles.append({"path": path_of(url), "status": SubStatus.INCONCLUSIVE, "reason": str(exc)})
                continue
            bundles.append({"path": path_of(url), "status": SubStatus.OK, "http_status": reply.status,
                            "length": reply.length, "capped": reply.length >= MAX_BUNDLE_BYTES})
            if reply.status == 200:
                refs["scripts"] += resolved(url, references.from_script(reply.text))
        found["bundles"] = bundles
        refs["robots"] = discovery.text_refs(self.harvest, "/robots.txt", references.from_robots)
        sitemaps = [u for u in refs["robots"] if u.endswith(".xml")] or ["/sitemap.xml"]
        refs["robots"] = [u for u in refs["robots"] if u not in sitemaps]
        refs["sitemap"] = [u for u in discovery.text_refs(self.harvest, sitemaps[0], references.from_sitemap)
                           if references.api_like(u)]
        for name in ("links", "forms", "inline-scripts", "descriptions"):
            refs[name] = resolved(start.url, refs[name])
        return refs

    # -- routes nobody links ------------------------------------------------------------------
    def _routes(self, start: Reply, refs: dict[str, list[str]], documented: list[Endpoint],
                found: dict[str, Any]) -> RouteFinder:
        """Try the routes frameworks and habits create (and the agency's own) that the run does not
        request anyway; found ones become endpoints with their reply (``routes.py``)."""
        urls = [start.url, *(u for each in refs.values() for u in each), *(e.url for e in documented)]
        known = {urlsplit(u).path for u in urls if origin_of(u) == self.harvest.origin}
        known |= {*DESCRIPTION_PATHS, *GRAPHQL_PATHS, "/robots.txt", "/sitemap.xml", "/"}
        extra = self.ctx.checks.get(SPEC.name, ())
        finder = RouteFinder(self.harvest, self._resembles_sibling, known)
        found["routes"] = finder.run(routes.route_list(extra), routes.shipped()[0], len(extra))
        found["routes"]["siblings"] = self.route_sibling_facts
        return finder

    def _resembles_sibling(self, url: str, reply: Reply) -> bool:
        """Whether a guessed route's reply resembles a random path in its folder (any status: a site may
        refuse every path); also True when no sibling could be had."""
        path = urlsplit(url).path
        slash = path.endswith("/") and path != "/"
        folder = path.rstrip("/").rsplit("/", 1)[0] + "/"
        if (folder, slash) not in self.route_siblings:
            probe = f"{folder}pindai-{secrets.token_hex(6)}" + ("/" if slash else "")
            try:
                sibling = self.harvest.get(self.harvest.origin + probe)
            except RequestFailed:
                self.route_siblings[(folder, slash)] = None
            else:
                self.route_siblings[(folder, slash)] = _shape(sibling, {probe})
                self.route_sibling_facts.append({"folder": folder, "trailing_slash": slash,
                                                 "http_status": sibling.status, "length": sibling.length,
                                                 "content_type": sibling.content_type})
        shape = self.route_siblings[(folder, slash)]
        return shape is None or _shape(reply, {path}).resembles(shape)

    # -- soft-404 ------------------------------------------------------------------------------
    def _sibling(self, url: str, found: dict[str, Any]) -> Shape | None:
        """Shape of a random path next to ``url`` (per folder, at most MAX_SIBLING_FOLDERS)."""
        parts = urlsplit(url)
        folder = parts.path.rsplit("/", 1)[0] + "/"
        key = origin_of(url) + folder
        if key not in self.siblings and origin_of(url) == self.harvest.origin \
                and self.route_siblings.get((folder, False)) is not None:
            return self.route_siblings[(folder, False)]  # the same test, already made for a guessed route
        if key not in self.siblings:
            if len(self.siblings) >= MAX_SIBLING_FOLDERS:
                key, folder = origin_of(url) + "/", "/"
                if key in self.siblings:
                    return self.siblings[key]
            probe = f"{folder}pindai-{secrets.token_hex(6)}"
            try:
                reply = self.harvest.get(origin_of(url) + probe)
                self.siblings[key] = _shape(reply, {probe})
                found["siblings"].append({"folder": folder, "http_status": reply.status,
                                          "content_type": reply.content_type, "length": reply.length})
            except RequestFailed:
                self.siblings[key] = None
        return self.siblings[key]

    # -- endpoints -----------------------------------------------------------------------------
    def _endpoint(self, endpoint: Endpoint, found: dict[str, Any], reply: Reply | None = None) -> Probed | None:
        """The endpoint without credentials; ``reply``: a found route's, already shown to differ from its
        sibling."""
        path = path_of(endpoint.url)
        facts: dict[str, Any] = {
            "key": f"GET {path}", "method": "GET", "path": path, "host": urlsplit(endpoint.url).hostname or "",
            "source": endpoint.source, "declared_public": endpoint.declared_public,
            "declared_security": endpoint.declared_security, "marker_configured": False, "reachable": True,
            "authenticated": {"status": SubStatus.SKIPPED, "reason": "black-box scan: no credentials"},
        }
        if reply is None:
            try:
                reply = self.harvest.get(endpoint.url)
            except RequestFailed as exc:
                facts.update(reachable=False, reason=str(exc), refusal={"refused": False, "reason": ""},
                             variants=[{"name": "no-credentials", "status": SubStatus.INCONCLUSIVE,
                                        "reason": str(exc)}])
                return Probed(endpoint.url, facts, None)
            sibling = self._sibling(endpoint.url, found)
        else:
            sibling = None
        if reply.status < 400 and sibling is not None \
                and _shape(reply, {urlsplit(endpoint.url).path}).resembles(sibling):
            found["discarded"].append({"path": path, "source": endpoint.source,
                                       "reason": "resembles-random-sibling"})
            return None
        body = kind(reply)
        observed = {"name": "no-credentials", **compare(reply, None, "", 0.1), "content_kind": body,
                    "personal_data": personal_data(reply.text)
                    if reply.status_class == "2xx" and body != "html" else dict(NO_DATA)}
        facts.update(refusal=refusal(reply), variants=[observed])
        return Probed(endpoint.url, facts, reply)


def _record_limits(facts: dict[str, Any], refusing: int) -> None:
    """Caps reached and endpoints that could not be reached make the observation partial."""
    found, endpoints = facts["discovery"], facts["endpoints"]
    if found.get("endpoints_over_limit"):
        record_limit(facts, "auth_endpoints", MAX_ENDPOINTS, found["endpoints_found"])
    if refusing > MAX_FORGERY_TARGETS:
        record_limit(facts, "auth_forgery_targets", MAX_FORGERY_TARGETS, refusing)
    tried = found.get("routes", {})
    if tried.get("not_tried"):
        record_limit(facts, "auth_routes", tried["tried"], tried["tried"] + tried["not_tried"])
    unreachable = sum(1 for e in endpoints if not e.get("reachable", True))
    if unreachable:
        record_limit(facts, "auth_endpoints_unreachable", unreachable, len(endpoints))


def _shape(reply: Reply, paths: set[str]) -> Shape:
    return shape_of(reply.status, reply.content_type, reply.text.encode("utf-8", "replace"), paths)
