"""Plumbing of the black-box mode: one GET through the client, harvesting every token a reply hands out.

Every request of the black-box mode goes through :meth:`Harvest.get`: gated, in scope, counted
against the client's budget. A reply to a request that carried no token of ours is searched for
JWTs (body, headers, cookies); each is remembered with the origin that handed it out, in memory only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from scanner.net.urls import UnsafeURL, gate, join
from scanner.probes.auth.client import Client, Reply, origin_of, path_of
from scanner.probes.auth.tokens import collect
from scanner.probes.base import ProbeContext

REDIRECTS = (301, 302, 303, 307, 308)
REFUSAL_MAX_BYTES = 1024
_REFUSAL_WORDS = re.compile(
    r"unauthori[sz]ed|forbidden|unauthenticated|not authenticated|login required|access denied|"
    r"invalid token|token (is )?(missing|required|invalid|expired)|akses ditolak|tidak berhak|"
    r"belum login|silakan (login|masuk)", re.I)
_LOGIN_LOCATION = re.compile(r"login|signin|sign-in|masuk|auth", re.I)


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

    @property
    def origin(self) -> str:
        """The origin under test (forged tokens go to it only)."""
        return self.client.origin

    def get(self, url: str, *, limit: int = 1_000_000, token: str = "") -> Reply:
        headers = {"Authorization": f"Bearer {token}"} if token else None
        reply = self.client.send("GET", url, headers=headers, limit=limit)
        if not token:  # a reply to a forged token may echo it back: never harvest those
            known = len(self.seen_tokens)
            collect(reply.values(), f"response:GET {path_of(url)}", self.seen_tokens)
            for fingerprint in list(self.seen_tokens)[known:]:
                self.issuers[fingerprint] = origin_of(url)
        return reply

    def in_scope(self, url: str) -> bool:
        try:
            gate(url, self.ctx.scope)
        except UnsafeURL:
            return False
        return True
