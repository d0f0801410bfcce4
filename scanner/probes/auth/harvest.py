"""Plumbing of the black-box mode: one GET through the client, harvesting every token a reply hands out,
and reading replies (what kind of body, whether it refuses).

Every request of the black-box mode goes through :meth:`Harvest.get`: gated, in scope, counted
against the client's budget. A reply to a request that carried no token of ours is searched for
JWTs (body, headers, cookies); each is remembered with the origin that handed it out, in memory only,
and so is where the site carries its tokens besides ``Authorization: Bearer``: a cookie whose value
is a JWT, or a query parameter holding one in a URL the site handed out (``carriers``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

from scanner.net.urls import UnsafeURL, gate, join
from scanner.probes.auth.client import Client, CredentialsWithheld, Reply, origin_of, path_of
from scanner.probes.auth.tokens import collect, find_tokens
from scanner.probes.base import ProbeContext

REDIRECTS = (301, 302, 303, 307, 308)
REFUSAL_MAX_BYTES = 1024
_REFUSAL_WORDS = re.compile(
    r"unauthori[sz]ed|forbidden|unauthenticated|not authenticated|login required|access denied|"
    r"invalid token|token (is )?(missing|required|invalid|expired)|akses ditolak|tidak berhak|"
    r"belum login|silakan (login|masuk)", re.I)
_LOGIN_LOCATION = re.compile(r"login|signin|sign-in|masuk|auth", re.I)
_QUERY_NAME = re.compile(r"[?&]([A-Za-z_][A-Za-z0-9_.-]{0,39})=$")  # on the 41 characters before a JWT
MAX_CARRIERS = 2  # cookies and query parameters per origin, besides the bearer header
BEARER = ("bearer", "")


def carriers_in(reply: Reply) -> list[tuple[str, str]]:
    """Where a reply carries JWTs besides a header: ``("cookie", name)`` for a cookie whose value is
    one, ``("query", name)`` for a query parameter holding one in a URL of the body or ``Location``."""
    found = [("cookie", name) for name, value in reply.cookies.items() if find_tokens(value)]
    for text in (reply.headers.get("location", ""), reply.text):
        for token in find_tokens(text):
            at = text.find(token)
            match = _QUERY_NAME.search(text[max(0, at - 41):at])
            if match:
                found.append(("query", match.group(1)))
    return list(dict.fromkeys(found))


def resolved(base: str, refs: list[str]) -> list[str]:
    """``refs`` made absolute against ``base`` (as the client will request them); unsafe ones left out."""
    out = []
    for ref in refs:
        try:
            out.append(join(base, ref).url)
        except UnsafeURL:
            continue
    return out


def kind(reply: Reply) -> str:
    """``html``, ``json`` or ``other``: what a reply's body is, by content type or first characters."""
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
class Harvest:
    """The run's client and the tokens seen so far; bodies, tokens and secrets stay in this object."""

    ctx: ProbeContext
    client: Client
    seen_tokens: dict[str, tuple[str, str]] = field(default_factory=dict)  # fingerprint -> (raw, source)
    issuers: dict[str, str] = field(default_factory=dict)  # token fingerprint -> origin that handed it out
    carriers: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # origin -> [(kind, name)]

    @property
    def origin(self) -> str:
        """The origin under test (forged tokens go to it only)."""
        return self.client.origin

    def get(self, url: str, *, limit: int = 1_000_000, token: str = "",
            carrier: tuple[str, str] = BEARER) -> Reply:
        """GET ``url``; ``token`` (one of ours) goes in ``carrier``: the bearer header, a cookie or a
        query parameter (``(kind, name)``), and only to the origin under test."""
        headers, cookies = None, None
        if token and carrier[0] == "cookie":
            cookies = {carrier[1]: token}
        elif token and carrier[0] == "query":
            if origin_of(url) != self.origin:  # the client binds headers and cookies; a URL is ours to bind
                raise CredentialsWithheld(f"credentials not sent: {origin_of(url)} is not the target's "
                                          f"origin {self.origin}")
            url += ("&" if urlsplit(url).query else "?") + f"{quote(carrier[1])}={token}"
        elif token:
            headers = {"Authorization": f"Bearer {token}"}
        reply = self.client.send("GET", url, headers=headers, cookies=cookies, limit=limit)
        if not token:  # a reply to a forged token may echo it back: never harvest those
            known = len(self.seen_tokens)
            collect(reply.values(), f"response:GET {path_of(url)}", self.seen_tokens)
            for fingerprint in list(self.seen_tokens)[known:]:
                self.issuers[fingerprint] = origin_of(url)
            if known < len(self.seen_tokens) or reply.cookies:
                self._carriers(origin_of(url), reply)
        return reply

    def _carriers(self, origin: str, reply: Reply) -> None:
        mine = self.carriers.setdefault(origin, [])
        for carrier in carriers_in(reply):
            if carrier not in mine and len(mine) < MAX_CARRIERS:
                mine.append(carrier)

    def in_scope(self, url: str) -> bool:
        try:
            gate(url, self.ctx.scope)
        except UnsafeURL:
            return False
        return True
