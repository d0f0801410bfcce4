"""A polite HTTP client for the auth probe: gate slots, scope checks, no redirects."""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import requests
import urllib3

from scanner.pii.masking import scrub_text
from scanner.probes.auth.tokens import JWT_PATTERN
from scanner.probes.base import ProbeContext

log = logging.getLogger(__name__)
USER_AGENT = "Pindai/auth-probe (+https://github.com/pindai)"
MAX_BODY = 1_000_000


class RequestFailed(Exception):
    """The request could not be made or was not allowed; the message says why."""


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


_UNSAFE_URL = re.compile(r"[\x00-\x20\x7f\\]")


def checked_host(url: str) -> str:
    """Host of an http(s) URL we may connect to; refuses control characters, spaces, backslashes
    and user-info, which parsers disagree on (a stand-in for the shared scope gate)."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError as exc:
        raise RequestFailed(f"unparsable URL: {exc}") from exc
    if parts.scheme not in ("http", "https") or not host:
        raise RequestFailed(f"not an http(s) URL: {url[:200]!r}")
    if _UNSAFE_URL.search(url) or "@" in parts.netloc:
        raise RequestFailed(f"URL refused (control character, backslash or user-info): {url[:200]!r}")
    return host


def loggable(url: str) -> str:
    """The URL without its query, with tokens and personal values masked (for -vv logs)."""
    parts = urlsplit(url)
    return JWT_PATTERN.sub("<jwt>", scrub_text(f"{parts.scheme}://{parts.netloc}{parts.path}"[:300]))


class Client:
    """Sends single requests within scope and politeness limits; never follows redirects."""

    def __init__(self, ctx: ProbeContext, *, budget: int | None = None, verify: bool = True) -> None:
        self.ctx = ctx
        self.session = requests.Session()
        self.session.trust_env = False  # no proxies or netrc credentials from the environment
        self.session.headers["User-Agent"] = USER_AGENT
        self.session.verify = verify  # False only where no credential is sent (the black-box scan)
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
        host = checked_host(url)
        if not self.ctx.scope.allows(host):
            raise RequestFailed(f"host {host} is outside the scan scope")
        if self.budget is not None and self.sent >= self.budget:
            raise RequestFailed(f"request budget of {self.budget} reached")
        self.session.cookies.clear()  # every request carries exactly the credentials given
        started = time.monotonic()
        try:
            with self.ctx.gate.slot(host):
                self.sent += 1
                response = self.session.request(
                    method, url, headers=headers, cookies=cookies, data=data, auth=auth,
                    timeout=self.ctx.timeout, allow_redirects=False, stream=True,
                )
                raw = response.raw.read(limit, decode_content=True) or b""
                response.close()
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError, ValueError) as exc:
            # ValueError: e.g. a header or URL with a NUL from a hostile page; never crash the probe
            raise RequestFailed(f"{type(exc).__name__}: {exc}"[:300]) from exc
        try:
            text = raw.decode(response.encoding or "utf-8", "replace")
        except (LookupError, ValueError):  # an unknown or hostile charset name
            text = raw.decode("utf-8", "replace")
        log.debug("%s %s -> %s (%.2f s)", method, loggable(url), response.status_code, time.monotonic() - started)
        headers = {k.lower(): v for k, v in response.headers.items()}
        return Reply(url, response.status_code, headers, text, dict(response.cookies))
