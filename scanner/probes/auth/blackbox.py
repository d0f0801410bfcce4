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
"""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

from scanner.net.html import parse
from scanner.net.pageshape import Shape, shape_of
from scanner.net.urls import UnsafeURL, gate, join
from scanner.probes.auth import analysis, openapi, references
from scanner.probes.auth.client import Client, Reply, RequestFailed, origin_of, path_of
from scanner.probes.auth.compare import NO_DATA, compare, personal_data, similarity
from scanner.probes.auth.endpoint import Endpoint
from scanner.probes.auth.tokens import NONE_CASINGS, Token, b64url, collect, decode, hmac_signed, unsigned
from scanner.probes.base import ProbeContext, ProbeInconclusive, record_limit, record_withheld

REQUEST_BUDGET = 200
MAX_ENDPOINTS = 50
MAX_BUNDLES = 5
MAX_BUNDLE_BYTES = 512_000
MAX_SIBLING_FOLDERS = 10
MAX_FORGERY_TARGETS = 10
BLIND_SECRETS = 3
MAX_START_REDIRECTS = 3
REDIRECTS = (301, 302, 303, 307, 308)
REFUSAL_MAX_BYTES = 1024
DESCRIPTION_PATHS = (
    "/openapi.json", "/openapi.yaml", "/swagger.json", "/swagger/v1/swagger.json", "/v2/api-docs",
    "/v3/api-docs", "/api-docs", "/api/swagger.json", "/api/openapi.json",
)
GRAPHQL_PATHS = ("/graphql", "/api/graphql")
INTROSPECTION = "{__schema{queryType{name} types{name}}}"
_REFUSAL_WORDS = re.compile(
    r"unauthori[sz]ed|forbidden|unauthenticated|not authenticated|login required|access denied|"
    r"invalid token|token (is )?(missing|required|invalid|expired)|akses ditolak|tidak berhak|"
    r"belum login|silakan (login|masuk)", re.I)
_LOGIN_LOCATION = re.compile(r"login|signin|sign-in|masuk|auth", re.I)
_STATIC = re.compile(r"\.(css|js|mjs|map|png|jpe?g|gif|svg|ico|webp|woff2?|ttf|pdf|zip|mp4)$", re.I)


def resolved(base: str, refs: list[str]) -> list[str]:
    """``refs`` made absolute against ``base`` (as the client will request them); unsafe ones left out."""
    out = []
    for ref in refs:
        try:
            out.append(join(base, ref).url)
        except UnsafeURL:
            continue
    return out


def _kind(reply: Reply) -> str:
    head = reply.text[:200].lstrip().lower()
    if "html" in reply.content_type or head.startswith(("<!doctype html", "<html")):
        return "html"
    if "json" in reply.content_type or head.startswith(("{", "[")):
        return "json"
    return "other"


def refusal(reply: Reply) -> dict[str, Any]:
    """Whether a reply without credentials refuses, and how (observation for rules and forgeries)."""
    if reply.status in (401, 403):
        return {"refused": True, "reason": f"status-{reply.status}"}
    if reply.status in REDIRECTS and _LOGIN_LOCATION.search(reply.headers.get("location", "")):
        return {"refused": True, "reason": "login-redirect"}
    if reply.status_class == "2xx" and reply.length <= REFUSAL_MAX_BYTES and _REFUSAL_WORDS.search(reply.text):
        return {"refused": True, "reason": "error-body"}
    return {"refused": False, "reason": ""}


@dataclass
class _Forgery:
    name: str
    token: str
    alg: str
    basis: str  # "synthetic", "harvested-claims" or "cracked-secret"


@dataclass
class _Probed:
    """An endpoint's facts so far, with its reply without credentials (in memory only)."""

    url: str
    facts: dict[str, Any]
    reply: Reply | None


@dataclass
class BlackBox:
    """One black-box run over one target; bodies, tokens and secrets stay in this object."""

    ctx: ProbeContext
    location: str
    words: list[str]
    client: Client = field(init=False)
    seen_tokens: dict[str, tuple[str, str]] = field(default_factory=dict)  # fingerprint -> (raw, source)
    issuers: dict[str, str] = field(default_factory=dict)  # token fingerprint -> origin that handed it out
    secrets_by_origin: dict[str, tuple[Token, str]] = field(default_factory=dict)  # in memory only
    siblings: dict[str, Shape | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # No credential of the user is ever sent in this mode, so certificates are not verified
        # (the TLS probe judges them); forged tokens are ours and carry nothing secret.
        self.origin = origin_of(self.location)
        self.client = Client(self.ctx, self.origin, budget=REQUEST_BUDGET, verify=False)

    # -- plumbing ------------------------------------------------------------------------------
    def _get(self, url: str, *, limit: int = 1_000_000, token: str = "") -> Reply:
        headers = {"Authorization": f"Bearer {token}"} if token else None
        reply = self.client.send("GET", url, headers=headers, limit=limit)
        if not token:  # a reply to a forged token may echo it back: never harvest those
            known = len(self.seen_tokens)
            collect(reply.values(), f"response:GET {path_of(url)}", self.seen_tokens)
            for fingerprint in list(self.seen_tokens)[known:]:
                self.issuers[fingerprint] = origin_of(url)
        return reply

    def _in_scope(self, url: str) -> bool:
        try:
            gate(url, self.ctx.scope)
        except UnsafeURL:
            return False
        return True

    # -- run -----------------------------------------------------------------------------------
    def run(self) -> dict[str, Any]:
        start = self._start_page()
        discovery: dict[str, Any] = {"status": "ok", "start_page": {
            "http_status": start.status, "path": path_of(start.url), "moved": start.url != self.location}}
        refs = self._references(start, discovery)
        documented = self._descriptions(refs.pop("descriptions"), discovery)
        discovery["graphql"] = [self._graphql(p) for p in GRAPHQL_PATHS]
        candidates = self._candidates(documented, refs, discovery)
        endpoints = [e for e in (self._endpoint(c, discovery) for c in candidates) if e is not None]
        self._crack_tokens()
        refusing = self._forge_all(endpoints)
        facts: dict[str, Any] = {
            "mode": "black-box",
            "recipe": "none",
            "settings": {"endpoint_limit": MAX_ENDPOINTS, "request_budget": REQUEST_BUDGET},
            "login": {"status": "not-configured"},
            "credentials": {"status": "none", "reason": "black-box scan: no profile credentials"},
            "discovery": discovery,
            "endpoints": [e.facts for e in endpoints],
            "tokens": analysis.token_facts(list(self.seen_tokens.values()), self.words),
            "requests_sent": self.client.sent,
        }
        _record_limits(facts, refusing)
        record_withheld(facts, self.client.session.withheld)
        return facts

    def _start_page(self) -> Reply:
        """The start page, following up to MAX_START_REDIRECTS in-scope redirects (http -> https);
        the origin under test becomes the one it ends on."""
        url = self.location
        try:
            for _ in range(MAX_START_REDIRECTS + 1):
                reply = self._get(url)
                target = resolved(url, [reply.headers.get("location", "")]) if reply.status in REDIRECTS else []
                if not target or not self._in_scope(target[0]) or target[0] == url:
                    break
                url = target[0]
        except RequestFailed as exc:
            raise ProbeInconclusive(f"start page: {exc}") from exc
        self.origin = self.client.origin = origin_of(reply.url)  # forged tokens go to this origin only
        return reply

    # -- discovery -----------------------------------------------------------------------------
    def _references(self, start: Reply, discovery: dict[str, Any]) -> dict[str, list[str]]:
        doc = parse(start.text) if _kind(start) == "html" else parse("")
        refs = references.from_html(doc)
        refs["scripts"] = []
        bundles: list[dict[str, Any]] = []
        for url in resolved(start.url, [src for src, _ in doc.scripts]):
            if origin_of(url) != self.origin or len(bundles) >= MAX_BUNDLES:
                continue
            try:
                reply = self._get(url, limit=MAX_BUNDLE_BYTES)
            except RequestFailed as exc:
                bundles.append({"path": path_of(url), "status": "inconclusive", "reason": str(exc)})
                continue
            bundles.append({"path": path_of(url), "status": "ok", "http_status": reply.status,
                            "length": reply.length, "capped": reply.length >= MAX_BUNDLE_BYTES})
            if reply.status == 200:
                refs["scripts"] += resolved(url, references.from_script(reply.text))
        discovery["bundles"] = bundles
        refs["robots"] = self._text_refs("/robots.txt", references.from_robots)
        sitemaps = [u for u in refs["robots"] if u.endswith(".xml")] or ["/sitemap.xml"]
        refs["robots"] = [u for u in refs["robots"] if u not in sitemaps]
        refs["sitemap"] = [u for u in self._text_refs(sitemaps[0], references.from_sitemap) if references.api_like(u)]
        for name in ("links", "forms", "inline-scripts", "descriptions"):
            refs[name] = resolved(start.url, refs[name])
        return refs

    def _text_refs(self, path: str, read: Callable[[str], list[str]]) -> list[str]:
        url = urljoin(self.origin + "/", path)
        if not self._in_scope(url):
            return []
        try:
            reply = self._get(url, limit=MAX_BUNDLE_BYTES)
        except RequestFailed:
            return []
        if reply.status != 200 or _kind(reply) == "html":
            return []
        return resolved(url, read(reply.text))

    def _descriptions(self, linked: list[str], discovery: dict[str, Any]) -> list[Endpoint]:
        urls = [urljoin(self.origin + "/", p) for p in DESCRIPTION_PATHS]
        urls += [u for u in linked if u not in urls and origin_of(u) == self.origin][:3]
        found: list[Endpoint] = []
        facts: list[dict[str, Any]] = []
        seen_docs: set[int] = set()
        for url in urls:
            item: dict[str, Any] = {"path": path_of(url)}
            try:
                reply = self._get(url)
            except RequestFailed as exc:
                facts.append({**item, "status": "inconclusive", "reason": str(exc)})
                continue
            item["http_status"] = reply.status
            if reply.status != 200 or _kind(reply) == "html":
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
            found += self._operations(doc, url, item)
            facts.append(item)
        discovery["descriptions_checked"] = len(urls)
        discovery["descriptions"] = facts
        return found

    def _operations(self, doc: dict[str, Any], doc_url: str, item: dict[str, Any]) -> list[Endpoint]:
        servers = resolved(doc_url, openapi.servers(doc) or ["/"])
        inside = [s for s in servers if self._in_scope(s)]
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

    def _graphql(self, path: str) -> dict[str, Any]:
        url = urljoin(self.origin + "/", path) + "?query=" + quote(INTROSPECTION)
        facts: dict[str, Any] = {"path": path, "introspection": False}
        try:
            reply = self._get(url)
        except RequestFailed as exc:
            return {**facts, "status": "inconclusive", "reason": str(exc)}
        facts.update(status="ok", http_status=reply.status)
        try:
            body = json.loads(reply.text) if _kind(reply) == "json" else None
        except (ValueError, RecursionError):
            body = None
        data = body.get("data") if isinstance(body, dict) else None
        schema = data.get("__schema") if isinstance(data, dict) else None
        if reply.status_class == "2xx" and isinstance(schema, dict):
            types = schema.get("types")
            facts.update(introspection=True, types=len(types) if isinstance(types, list) else 0)
        return facts

    def _candidates(self, documented: list[Endpoint], refs: dict[str, list[str]],
                    discovery: dict[str, Any]) -> list[Endpoint]:
        order = ["scripts", "inline-scripts", "forms", "robots", "sitemap", "links"]
        discovery["sources"] = {"openapi": len(documented), **{name: len(refs[name]) for name in order}}
        found: dict[str, Endpoint] = {}
        for endpoint in documented:
            found.setdefault(endpoint.url.split("#", 1)[0], endpoint)
        for name in order:
            for url in refs[name]:
                url = url.split("#", 1)[0]
                path = urlsplit(url).path
                if self._in_scope(url) and not _STATIC.search(path) and path not in GRAPHQL_PATHS:
                    found.setdefault(url, Endpoint("GET", url, source=name))
        chosen = list(found.values())
        discovery["endpoints_found"] = len(chosen)
        discovery["endpoints_over_limit"] = max(0, len(chosen) - MAX_ENDPOINTS)
        discovery["siblings"] = []
        discovery["discarded"] = []
        return chosen[:MAX_ENDPOINTS]

    # -- soft-404 ------------------------------------------------------------------------------
    def _sibling(self, url: str, discovery: dict[str, Any]) -> Shape | None:
        """Shape of a random path next to ``url`` (per folder, at most MAX_SIBLING_FOLDERS)."""
        parts = urlsplit(url)
        folder = parts.path.rsplit("/", 1)[0] + "/"
        key = origin_of(url) + folder
        if key not in self.siblings:
            if len(self.siblings) >= MAX_SIBLING_FOLDERS:
                key, folder = origin_of(url) + "/", "/"
                if key in self.siblings:
                    return self.siblings[key]
            probe = f"{folder}pindai-{secrets.token_hex(6)}"
            try:
                reply = self._get(origin_of(url) + probe)
                self.siblings[key] = _shape(reply, {probe})
                discovery["siblings"].append({"folder": folder, "http_status": reply.status,
                                              "content_type": reply.content_type, "length": reply.length})
            except RequestFailed:
                self.siblings[key] = None
        return self.siblings[key]

    # -- endpoints -----------------------------------------------------------------------------
    def _endpoint(self, endpoint: Endpoint, discovery: dict[str, Any]) -> _Probed | None:
        path = path_of(endpoint.url)
        facts: dict[str, Any] = {
            "key": f"GET {path}", "method": "GET", "path": path, "host": urlsplit(endpoint.url).hostname or "",
            "source": endpoint.source, "declared_public": endpoint.declared_public,
            "declared_security": endpoint.declared_security, "marker_configured": False, "reachable": True,
            "authenticated": {"status": "skipped", "reason": "black-box scan: no credentials"},
        }
        try:
            reply = self._get(endpoint.url)
        except RequestFailed as exc:
            facts.update(reachable=False, reason=str(exc), refusal={"refused": False, "reason": ""},
                         variants=[{"name": "no-credentials", "status": "inconclusive", "reason": str(exc)}])
            return _Probed(endpoint.url, facts, None)
        sibling = self._sibling(endpoint.url, discovery)
        if reply.status < 400 and sibling is not None \
                and _shape(reply, {urlsplit(endpoint.url).path}).resembles(sibling):
            discovery["discarded"].append({"path": path, "source": endpoint.source,
                                           "reason": "resembles-random-sibling"})
            return None
        kind = _kind(reply)
        observed = {"name": "no-credentials", **compare(reply, None, "", 0.1), "content_kind": kind,
                    "personal_data": personal_data(reply.text)
                    if reply.status_class == "2xx" and kind != "html" else dict(NO_DATA)}
        facts.update(refusal=refusal(reply), variants=[observed])
        return _Probed(endpoint.url, facts, reply)

    # -- tokens and forgeries ------------------------------------------------------------------
    def _crack_tokens(self) -> None:
        """Crack the HS* secret of each harvested token once; keep it per issuing origin."""
        for fingerprint, (raw, _) in self.seen_tokens.items():
            token = decode(raw)
            if token is None:
                continue
            secret = analysis.secret_search(token, self.words)[1]
            if secret is not None:
                self.secrets_by_origin.setdefault(self.issuers[fingerprint], (token, secret))

    def _template(self, url: str) -> tuple[dict[str, Any], dict[str, Any], str]:
        """Header and claims to forge with: a token handed out by the same origin, else synthetic."""
        now = int(time.time())
        cracked = self.secrets_by_origin.get(origin_of(url))
        mine = [decode(raw) for fingerprint, (raw, _) in self.seen_tokens.items()
                if self.issuers[fingerprint] == origin_of(url)]
        for token in ([cracked[0]] if cracked else []) + mine:
            if token is not None:  # personal values in the claims are masked: the forged token may be reported
                claims = {**_masked(token.claims), "iat": now}
                if "exp" in claims:
                    claims["exp"] = now + 600
                return dict(token.header), claims, "harvested-claims"
        return {"alg": "HS256", "typ": "JWT"}, {"sub": "1", "role": "admin", "iat": now, "exp": now + 600}, \
            "synthetic"

    def _forgeries(self, url: str) -> list[_Forgery]:
        header, claims, basis = self._template(url)
        template = Token("", header, claims)
        hs_header = {**header, "alg": "HS256"}
        unsigned_hs = ".".join(b64url(json.dumps(part, separators=(",", ":")).encode()) for part in (hs_header, claims))
        out = [_Forgery("forged-alg-none", unsigned(template, alg), alg, basis) for alg in NONE_CASINGS]
        out.append(_Forgery("forged-empty-signature", unsigned_hs + ".", "HS256", basis))
        out.append(_Forgery("forged-stripped-signature", unsigned_hs, "HS256", basis))
        out += [_Forgery("forged-weak-secret", hmac_signed(header, claims, word.encode()), "HS256", basis)
                for word in self.words[:BLIND_SECRETS]]
        cracked = self.secrets_by_origin.get(origin_of(url))
        if cracked is not None:
            token, secret = cracked
            out.append(_Forgery("forged-cracked-secret", hmac_signed(token.header, claims, secret.encode(),
                                                                     token.alg), token.alg, "cracked-secret"))
        return out

    def _forge_all(self, endpoints: list[_Probed]) -> int:
        """Send forged tokens to the first MAX_FORGERY_TARGETS refusing endpoints; the number refusing."""
        refusing = [e for e in endpoints if e.reply is not None and e.facts["refusal"]["refused"]]
        for entry in refusing[:MAX_FORGERY_TARGETS]:
            refused = entry.reply
            if refused is None:
                continue
            accepted = False
            for forgery in self._forgeries(entry.url):
                head = {"name": forgery.name, "alg": forgery.alg, "basis": forgery.basis, "carrier": "bearer"}
                if accepted:
                    entry.facts["variants"].append(
                        {**head, "status": "skipped", "reason": "an earlier forged token was already accepted"})
                    continue
                try:
                    reply = self._get(entry.url, token=forgery.token)
                except RequestFailed as exc:
                    entry.facts["variants"].append({**head, "status": "inconclusive", "reason": str(exc)})
                    continue
                facts = {**head, **_against_refusal(reply, refused)}
                accepted = facts["status_class"] == "2xx" and not facts["same_as_refusal"] \
                    and facts["refusal_similarity"] < 0.6
                if accepted and _shareable(forgery):  # the reproduction step shows the finding, not the 401
                    facts["token_parts"] = forgery.token.split(".")
                entry.facts["variants"].append(facts)
        for entry in refusing[MAX_FORGERY_TARGETS:]:
            entry.facts["variants"].append({"name": "forged-tokens", "status": "skipped",
                                            "reason": f"only {MAX_FORGERY_TARGETS} refusing endpoints are tested"})
        return len(refusing)


def _record_limits(facts: dict[str, Any], refusing: int) -> None:
    """Caps reached and endpoints that could not be reached make the observation partial."""
    discovery, endpoints = facts["discovery"], facts["endpoints"]
    if discovery.get("endpoints_over_limit"):
        record_limit(facts, "auth_endpoints", MAX_ENDPOINTS, discovery["endpoints_found"])
    if refusing > MAX_FORGERY_TARGETS:
        record_limit(facts, "auth_forgery_targets", MAX_FORGERY_TARGETS, refusing)
    unreachable = sum(1 for e in endpoints if not e.get("reachable", True))
    if unreachable:
        record_limit(facts, "auth_endpoints_unreachable", unreachable, len(endpoints))


def _masked(claims: dict[str, Any]) -> dict[str, Any]:
    from scanner.pii import scrub

    return dict(scrub(claims))


def _shareable(forgery: _Forgery) -> bool:
    """Whether the forged token may appear in the report's reproduction step: its claims hold no personal
    data (a synthetic template, or harvested claims without any), unlike claims copied from a user's token."""
    token = decode(forgery.token)
    return token is not None and _masked(token.claims) == token.claims


def _shape(reply: Reply, paths: set[str]) -> Shape:
    return shape_of(reply.status, reply.content_type, reply.text.encode("utf-8", "replace"), paths)


def _against_refusal(reply: Reply, refused: Reply) -> dict[str, Any]:
    """A forged-token reply next to the refusal it should repeat."""
    sim = similarity(reply.text, refused.text)
    kind = _kind(reply)
    return {
        "status": "ok", "http_status": reply.status, "status_class": reply.status_class, "length": reply.length,
        "refusal_similarity": sim, "same_as_refusal": reply.status == refused.status and sim >= 0.9,
        "personal_data": personal_data(reply.text) if reply.status_class == "2xx" and kind != "html"
        else dict(NO_DATA),
    }
