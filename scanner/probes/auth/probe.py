"""AuthProbe: does each endpoint really require valid credentials? (observations only)"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scanner.model import Target, TargetKind
from scanner.net.urls import link_host
from scanner.probes.auth import SPEC, analysis, loginform, neighbours, openapi, recipes
from scanner.probes.auth.blackbox import BlackBox
from scanner.probes.auth.client import Client, Reply, RequestFailed, origin_of, path_of, resolve
from scanner.probes.auth.compare import NO_DATA, compare, observe_reply, personal_data
from scanner.probes.auth.endpoint import Endpoint
from scanner.probes.auth.forging import MAX_FORGERY_TARGETS, Forger, Probed
from scanner.probes.auth.harvest import Harvest, refusal
from scanner.probes.auth.options import AuthOptions, AuthTargetOptions
from scanner.probes.auth.recipes import Credentials
from scanner.probes.auth.tokens import collect, load_wordlist
from scanner.probes.auth.variants import Variant, build
from scanner.probes.base import (
    ProbeContext,
    ProbeInconclusive,
    SubStatus,
    inconclusive,
    record_limit,
    record_withheld,
    subcheck,
)
from scanner.resources import rules_dir

DEFAULT_WORDLIST = rules_dir() / "auth" / "jwt-secrets.txt"



@dataclass
class _Scan:
    """State of one run: what was seen, kept in memory only."""

    client: Client
    options: AuthOptions
    creds: Credentials | None = None
    words: list[str] = field(default_factory=list)
    seen_tokens: dict[str, tuple[str, str]] = field(default_factory=dict)  # fingerprint -> (raw, source)
    unauthenticated: dict[str, Reply] = field(default_factory=dict)  # url -> reply without credentials (no creds)
    returned_ids: dict[str, list[str]] = field(default_factory=dict)  # kind -> identifiers in authenticated replies
    subjects: dict[str, set[str]] = field(default_factory=dict)  # url -> hashes of the personal values it returned

    def remember_tokens(self, reply: Reply, source: str) -> None:
        collect(reply.values(), source, self.seen_tokens)


def _base_dir(target: Target) -> Path:
    where = target.declared_at.rsplit(":", 1)[0] if target.declared_at else ""
    return Path(where).parent if where else Path.cwd()


def _read_file(target: Target, name: str, option: str) -> Path:
    path = Path(name)
    if not path.is_absolute():
        path = _base_dir(target) / path
    if not path.is_file():
        raise ProbeInconclusive(f"invalid auth options: options.auth.{option}: file not found: {path}")
    return path


def _words(path: Path) -> list[str]:
    try:
        return load_wordlist(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise ProbeInconclusive(f"invalid auth options: options.auth.wordlist: cannot read {path}: {exc}") from exc


def _head(variant: Variant) -> dict[str, Any]:
    """The fields naming a variant in its facts: ``name``, and ``alg`` for a forged token."""
    return {"name": variant.name, **({"alg": variant.alg} if variant.alg else {})}


class AuthProbe:
    """Replays each endpoint with valid, missing and forged credentials and compares replies.

    Without ``[targets.options.auth]`` in the profile it runs black-box (``blackbox.py``):
    discovers the site's API and tests it without credentials.
    """

    name = SPEC.name

    def applies_to(self, target: Target) -> bool:
        return target.kind is TargetKind.URL and urlsplit(target.location).scheme.lower() in ("http", "https")

    def run(self, target: Target, ctx: ProbeContext) -> dict[str, Any]:
        opts = AuthTargetOptions.of(target)
        if opts.auth is None:
            return BlackBox(ctx, target.location, _words(DEFAULT_WORDLIST)).run()
        options = opts.auth
        public_key = _read_file(target, options.public_key_file, "public_key_file").read_bytes() \
            if options.public_key_file else None
        wordlist = _read_file(target, options.wordlist, "wordlist") if options.wordlist else DEFAULT_WORDLIST
        verify = opts.verify
        client = Client(ctx, origin_of(target.location), verify=verify, credentials_unverified=verify is False)
        scan = _Scan(client, options, words=_words(wordlist))
        facts: dict[str, Any] = {
            "mode": "profile",
            "recipe": options.recipe,
            "settings": {"length_tolerance": options.length_tolerance,
                         "login_rate_limit_attempts": options.login_rate_limit_attempts},
            "login": {"status": SubStatus.NOT_CONFIGURED},
        }
        facts["credentials"] = self._credentials(target, ctx, scan, facts)
        endpoints, facts["discovery"] = self._endpoints(target, scan)
        if facts["discovery"].get("operations_usable", 0) > openapi.DISCOVERY_LIMIT:
            record_limit(facts, "openapi_operations", openapi.DISCOVERY_LIMIT, facts["discovery"]["operations_usable"])
        token = scan.creds.token if scan.creds else None
        secret = analysis.secret_search(token, scan.words)[1] if token else None  # in memory only
        variants = build(scan.creds, secret, public_key)
        facts["endpoints"] = [self._endpoint(scan, e, variants) for e in endpoints]
        for endpoint, found in zip(endpoints, facts["endpoints"], strict=True):
            if found["neighbours"].get("reason") == "no numeric identifier":
                found["neighbours"] = subcheck("neighbours", partial(
                    self._returned_id_neighbours, scan, endpoint, found["neighbours"]))
        if scan.creds is None:
            self._forge_without_credentials(ctx, scan, endpoints, facts)
        facts["tokens"] = self._tokens(scan)  # the credential's token and tokens seen in replies
        facts["requests_sent"] = scan.client.sent
        record_withheld(facts, scan.client.session.withheld)
        if not any(e["reachable"] for e in facts["endpoints"]) and facts["endpoints"]:
            raise ProbeInconclusive("no endpoint could be reached: " + facts["endpoints"][0]["reason"])
        return facts

    # -- credentials ---------------------------------------------------------------------------
    def _credentials(self, target: Target, ctx: ProbeContext, scan: _Scan, facts: dict[str, Any]) -> dict[str, Any]:
        o = scan.options
        env = {"bearer": o.bearer_env, "basic": o.basic_password_env, "cookie": o.cookie_env,
               "login": o.login.password_env if o.login else ""}.get(o.recipe, "")
        if o.recipe == "none":
            return {"status": "none", "reason": "no credential recipe configured"}
        value = ctx.secret(env)  # a variable this worker may not read leaves the whole probe inconclusive
        return subcheck("credentials", lambda: self._use_credentials(target, scan, facts, env, value))

    def _use_credentials(self, target: Target, scan: _Scan, facts: dict[str, Any], env: str,
                         value: str) -> dict[str, Any]:
        o = scan.options
        if o.login is not None:
            facts["login"] = subcheck("login", lambda: self._login(target, scan, value))
        elif not value:
            return inconclusive(f"environment variable {env} is not set")
        elif o.recipe == "bearer":
            scan.creds = recipes.bearer(value)
        elif o.recipe == "basic":
            scan.creds = recipes.basic(o.basic_user, value)
        else:
            scan.creds = recipes.cookie_header(value)
        if scan.creds is None:
            return inconclusive(facts["login"].get("reason")
                                or facts["login"].get("login", {}).get("reason", "login failed"))
        return {"status": SubStatus.OK, "jwt": scan.creds.token is not None,
                "carrier": "cookie" if scan.creds.cookies else "basic" if scan.creds.basic else "header"}

    def _login(self, target: Target, scan: _Scan, password: str) -> dict[str, Any]:
        option = scan.options.login
        assert option is not None
        try:
            result = loginform.log_in(scan.client, target.location, option, password)
        except RequestFailed as exc:
            return inconclusive(f"login page: {exc}")
        for reply in result.replies:
            scan.remember_tokens(reply, f"login:{path_of(reply.url)}")
        facts = result.facts
        if result.cookies and facts.get("login", {}).get("marker") != "absent":
            scan.creds = recipes.from_cookies(result.cookies, "login")
        elif "login" in facts and facts["login"].get("status") == SubStatus.OK:
            facts["login"]["reason"] = "no session cookie or success marker after login"
        attempts = scan.options.login_rate_limit_attempts
        facts["rate_limit"] = subcheck("login rate limit", lambda: loginform.failed_logins(
            scan.client, target.location, option, attempts)) if attempts \
            else {"status": SubStatus.SKIPPED, "reason": "opt-in: set login_rate_limit_attempts (<= 20)"}
        return facts

    # -- endpoints -----------------------------------------------------------------------------
    def _endpoints(self, target: Target, scan: _Scan) -> tuple[list[Endpoint], dict[str, Any]]:
        o = scan.options
        found = [Endpoint(e.method, resolve(target.location, e.url), e.marker) for e in o.endpoints]
        discovery: dict[str, Any] = {"status": SubStatus.NOT_CONFIGURED}
        if o.openapi:
            discovery = subcheck("discovery", lambda: self._discover(target, scan, found))
        if not found and not o.openapi and o.login is None:
            found.append(Endpoint("GET", target.location, source="target"))
        if o.login is not None:  # the login page is public by nature
            login_url = resolve(target.location, o.login.url)
            found = [e for e in found if e.url != login_url]
        return found, discovery

    def _discover(self, target: Target, scan: _Scan, found: list[Endpoint]) -> dict[str, Any]:
        url = resolve(target.location, scan.options.openapi)
        try:
            reply = scan.client.send("GET", url)
            if reply.status != 200:
                return inconclusive(f"HTTP {reply.status}", path=path_of(url))
            result = openapi.discover(reply.text)
        except (RequestFailed, ValueError) as exc:
            return inconclusive(str(exc), path=path_of(url))
        known = {(e.method, e.url) for e in found}
        added = 0
        for item in result.endpoints:
            try:
                absolute = resolve(url, item.path)
            except ValueError as exc:  # e.g. "//[x]/a": skip this path, keep the others
                result.skipped.append({"path": item.path[:200], "reason": f"malformed path: {exc}"[:200]})
                continue
            if ("GET", absolute) not in known:
                found.append(Endpoint("GET", absolute, source="openapi", declared_public=item.declared_public,
                                      declared_security=item.declared_security))
                added += 1
        return {"status": SubStatus.OK, "path": path_of(url), "endpoints_found": added, "skipped": result.skipped,
                "operations_usable": result.usable}

    def _send(self, scan: _Scan, endpoint: Endpoint, creds: Credentials | None) -> Reply:
        headers = dict(creds.headers) if creds else {}
        cookies = dict(creds.cookies) if creds else {}
        return scan.client.send(endpoint.method, endpoint.url, headers=headers, cookies=cookies,
                                auth=creds.basic if creds else None)

    def _endpoint(self, scan: _Scan, endpoint: Endpoint, variants: list[Variant]) -> dict[str, Any]:
        path = path_of(endpoint.url)
        facts: dict[str, Any] = {
            "key": f"{endpoint.method} {path}", "method": endpoint.method, "path": path,
            "host": link_host(endpoint.url, ""), "source": endpoint.source,
            "declared_public": endpoint.declared_public, "declared_security": endpoint.declared_security,
            "marker_configured": bool(endpoint.marker), "reachable": True,
        }
        replies: list[Reply] = []  # the authenticated reply, once received
        facts["authenticated"] = subcheck("authenticated", lambda: self._authenticated(scan, endpoint, facts, replies))
        baseline = replies[0] if replies else None
        facts["neighbours"] = subcheck("neighbours", lambda: self._neighbours(scan, endpoint, baseline))
        facts["variants"] = [{**_head(v), **subcheck(f"variant {v.name}", partial(
            self._variant, scan, endpoint, v, baseline))} for v in variants]
        if all(v["status"] == SubStatus.INCONCLUSIVE for v in facts["variants"] if v["status"] != SubStatus.SKIPPED) \
                and facts["authenticated"]["status"] != SubStatus.OK:
            facts["reachable"] = False
            facts["reason"] = facts["variants"][0].get("reason", "unreachable")
        return facts

    def _authenticated(self, scan: _Scan, endpoint: Endpoint, facts: dict[str, Any],
                       replies: list[Reply]) -> dict[str, Any]:
        """The endpoint with the credential (the baseline of every comparison, kept in ``replies``)."""
        if scan.creds is None:
            return {"status": SubStatus.SKIPPED, "reason": "no usable credentials"}
        try:
            replies.append(self._send(scan, endpoint, scan.creds))
        except RequestFailed as exc:
            return inconclusive(str(exc))
        scan.remember_tokens(replies[0], f"response:{facts['key']}")
        return observe_reply(replies[0], endpoint.marker)

    def _neighbours(self, scan: _Scan, endpoint: Endpoint, baseline: Reply | None) -> dict[str, Any]:
        """IDOR: the same credential on up to two neighbouring identifiers (GET only)."""
        if baseline is None or endpoint.method != "GET":
            return {"status": SubStatus.SKIPPED, "reason": "needs a GET endpoint and an authenticated reply"}
        found = neighbours.neighbours(endpoint.url)
        original = neighbours.subjects(baseline.text) if baseline.status_class == "2xx" else set()
        if baseline.status_class == "2xx":
            neighbours.returned_ids(baseline.text, scan.returned_ids)
            if found is None and original:
                scan.subjects[endpoint.url] = original
        if found is None or not original:
            return {"status": SubStatus.SKIPPED, "reason": "no numeric identifier" if found is None
                    else "the authenticated reply holds no personal data"}
        where, urls = found
        requests = []
        for offset, url in urls:
            try:
                reply = self._send(scan, Endpoint("GET", url), scan.creds)
            except RequestFailed as exc:
                requests.append({"offset": offset, "path": path_of(url), **inconclusive(str(exc))})
                continue
            requests.append({"offset": offset, "path": path_of(url), "status": SubStatus.OK,
                             **neighbours.observe(reply.status, reply.text, original)})
        return {"status": SubStatus.OK, "identifier": where, "requests": requests}

    def _returned_id_neighbours(self, scan: _Scan, endpoint: Endpoint, skipped: dict[str, Any]) -> dict[str, Any]:
        """IDOR on an identifier that cannot be counted (UUID, letters and digits): the same credential on
        up to two other identifiers of its kind that the site returned in any authenticated reply."""
        original = scan.subjects.get(endpoint.url)
        found = neighbours.substitutes(endpoint.url, scan.returned_ids) if original else None
        if original is None or found is None or not found[2]:
            return skipped if found is None else {
                "status": SubStatus.SKIPPED, "reason": f"no other {found[1]} identifier returned by the site"}
        where, kind, urls = found
        requests = []
        for url in urls:
            try:
                reply = self._send(scan, Endpoint("GET", url), scan.creds)
            except RequestFailed as exc:
                requests.append({"path": path_of(url), **inconclusive(str(exc))})
                continue
            requests.append({"path": path_of(url), "status": SubStatus.OK,
                             **neighbours.observe(reply.status, reply.text, original)})
        return {"status": SubStatus.OK, "identifier": where, "kind": kind, "requests": requests}

    def _variant(self, scan: _Scan, endpoint: Endpoint, variant: Variant, baseline: Reply | None) -> dict[str, Any]:
        head = _head(variant)
        if variant.skip_reason:
            return {**head, "status": SubStatus.SKIPPED, "reason": variant.skip_reason}
        try:
            reply = self._send(scan, endpoint, variant.credentials)
        except RequestFailed as exc:
            return {**head, **inconclusive(str(exc))}
        if scan.creds is None and variant.credentials is None:  # kept for the forgeries without credentials
            scan.unauthenticated[endpoint.url] = reply
        facts = {**head, **compare(reply, baseline, endpoint.marker, scan.options.length_tolerance)}
        facts["personal_data"] = personal_data(reply.text) if reply.status_class == "2xx" else dict(NO_DATA)
        return facts

    def _forge_without_credentials(self, ctx: ProbeContext, scan: _Scan, endpoints: list[Endpoint],
                                   facts: dict[str, Any]) -> None:
        """A profile without usable credentials still gets the black-box forgeries: forged tokens to the GET
        endpoints that refused a request without credentials, compared with that refusal (``forging.py``)."""
        harvest = Harvest(ctx, scan.client, seen_tokens=dict(scan.seen_tokens),
                          issuers={fingerprint: scan.client.origin for fingerprint in scan.seen_tokens})
        probed = []
        for endpoint, found in zip(endpoints, facts["endpoints"], strict=True):
            reply = scan.unauthenticated.get(endpoint.url)
            if endpoint.method == "GET" and reply is not None:
                found["refusal"] = refusal(reply)
                probed.append(Probed(endpoint.url, found, reply))
        forger = Forger(harvest, scan.words)
        forger.crack_tokens()
        refusing = forger.forge_all(probed)
        if refusing > MAX_FORGERY_TARGETS:
            record_limit(facts, "auth_forgery_targets", MAX_FORGERY_TARGETS, refusing)

    # -- tokens --------------------------------------------------------------------------------
    def _tokens(self, scan: _Scan) -> list[dict[str, Any]]:
        candidates: list[tuple[str, str]] = []
        if scan.creds and scan.creds.token:
            candidates.append((scan.creds.token.raw, f"profile:{scan.creds.recipe}"))
        candidates.extend(scan.seen_tokens.values())
        return analysis.token_facts(candidates, scan.words)
