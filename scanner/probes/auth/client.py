"""A polite HTTP client for the auth probe: URL gate, gate slots, origin-bound credentials, no redirects."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import requests
import urllib3

from scanner.net.session import body_deadline, http_session, read_capped
from scanner.net.urls import UnsafeURL, gate, origin_of
from scanner.probes.base import ProbeContext
from scanner.running.politeness import politeness_key

log = logging.getLogger(__name__)
USER_AGENT = "Pindai/auth-probe (+https://github.com/pindai)"
MAX_BODY = 1_000_000


class RequestFailed(Exception):
    """The request could not be made or was not allowed; the message says why."""


class CredentialsWithheld(RequestFailed):
    """Not sent: the request would carry credentials to an origin they were not configured for."""


@dataclass
class Reply:
    """What came back: status, lower-cased headers, body text (in memory only, never in facts)."""

    url: str
    status: int
    headers: dict[str, str]
    text: str
    cookies: dict[str, str] = field(default_factory=dict)

    @property
    def length(self) -> int:
        return len(self.text.encode("utf-8", "replace"))

    @property
    def status_class(self) -> str:
        return f"{self.status // 100}xx"

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    def values(self) -> list[str]:
        """Body, header values and cookie values: everywhere a token may be handed out."""
        return [self.text, *self.headers.values(), *self.cookies.values()]


def resolve(base: str, url: str) -> str:
    """Absolute URL of ``url`` relative to the target location ``base``."""
    return urljoin(base, url)


def path_of(url: str) -> str:
    """Path (with query) of a URL, as used in facts and item keys."""
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


class Client:
    """Sends single requests within scope and politeness limits; never follows redirects.

    Credentials (headers, cookies, basic auth, form data) go only to ``origin`` (the target's
    ``scheme://host:port``); such a request to any other origin raises CredentialsWithheld.
    At most ``budget`` requests are sent when one is given.
    """

    def __init__(self, ctx: ProbeContext, origin: str, *, budget: int | None = None, verify: bool | str = True,
                 credentials_unverified: bool = False) -> None:
        self.ctx = ctx
        self.origin = origin
        self.session = http_session(ctx.proxy, ctx.user_agent or USER_AGENT, ctx.headers, origin=origin,
                                    allow_unverified=credentials_unverified, gate=ctx.gate)
        # verify: a CA bundle path pins the target's certificate; False in the black-box scan (no user
        # credential is sent) or where the profile turned verification off for the target
        # (``credentials_unverified``: the operator's explicit choice)
        self.session.verify = verify
        self.budget = budget
        self.sent = 0

    def send(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str] | None = None,
        cookies: dict[str, str] | None = None,
        data: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        limit: int = MAX_BODY,
    ) -> Reply:
        """One request, no redirects; the body is read up to ``limit`` bytes."""
        try:
            where = gate(url, self.ctx.scope)
        except UnsafeURL as exc:
            raise RequestFailed(str(exc)) from exc
        if (headers or cookies or data or auth) and origin_of(where.url) != self.origin:
            raise CredentialsWithheld(f"credentials not sent: {origin_of(where.url)} is not the target's "
                                      f"origin {self.origin}")
        if self.budget is not None and self.sent >= self.budget:
            raise RequestFailed(f"request budget of {self.budget} reached")
        self.session.cookies.clear()  # every request carries exactly the credentials given
        deadline = body_deadline(self.ctx.timeout)
        try:
            with self.ctx.gate.slot(politeness_key(where.host, where.port)):
                self.sent += 1
                response = self.session.request(
                    method, where.url, headers=headers, cookies=cookies, data=data, auth=auth,
                    timeout=self.ctx.timeout, allow_redirects=False, stream=True,
                )
                try:
                    raw, _, too_slow = read_capped(response, limit, time.monotonic() + deadline)
                finally:
                    response.close()
        except requests.exceptions.SSLError as exc:
            withheld = "credentials withheld: certificate not verified; " if headers or cookies or data or auth else ""
            raise RequestFailed(f"{withheld}{type(exc).__name__}: {exc}") from exc
        except (requests.RequestException, OSError, urllib3.exceptions.HTTPError) as exc:
            raise RequestFailed(f"{type(exc).__name__}: {exc}") from exc
        if too_slow:
            raise RequestFailed(f"response body too slow: not complete within {deadline:g} s")
        try:
            text = raw.decode(response.encoding or "utf-8", "replace")
        except (LookupError, ValueError):  # an unknown or hostile charset name
            text = raw.decode("utf-8", "replace")
        headers = {k.lower(): v for k, v in response.headers.items()}
        return Reply(url, response.status_code, headers, text, dict(response.cookies))
