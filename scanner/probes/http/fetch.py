"""Polite HTTP fetching: body cap, manual redirects (≤ 5) with a scope check on every hop.

Every request passes the URL gate (``scanner.net.urls.gate``: the host requests really connects
to, inside ``ctx.scope``), goes through ``ctx.gate.slot(politeness_key(host, port))`` and uses ``ctx.timeout``. A
redirect to a host outside the scope, or a malformed/ambiguous Location, is never followed; the
chain records where it stopped and why.

A response is never asked for twice in one probe run: a final (non-redirect) GET answer that came
in before the body deadline is kept, up to ``MEMO_BYTES`` of bodies, and a later identical GET
(same URL and headers), or a redirect hop that lands on it, reuses it. The plain-HTTP twin's
redirect to the main page and template paths that redirect to a page already crawled cost no
second request.
"""

from __future__ import annotations

import codecs
import http.cookiejar
import re
import time
import warnings
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3
from urllib3.exceptions import InsecureRequestWarning

from scanner.net.session import body_deadline, http_session, read_capped
from scanner.net.urls import Destination, OutOfScope, UnsafeURL, UnsupportedScheme, gate, join
from scanner.probes.base import ProbeContext
from scanner.running.politeness import HostBackedOff, politeness_key

# Unverified fetches are deliberate (the TLS probe judges certificates). A module-level filter,
# because warnings.catch_warnings() is not thread-safe and probes fetch from many threads.
warnings.filterwarnings("ignore", category=InsecureRequestWarning)

MAX_BODY = 2 * 1024 * 1024
MAX_REDIRECTS = 5
MEMO_BYTES = 4 * 1024 * 1024  # bodies kept for reuse per probe run; beyond that pages are re-fetched
BROWSER_UA = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0 Safari/537.36 Pindai"
)
GOOGLEBOT_UA = (
    "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
)
_REDIRECT_CODES = (301, 302, 303, 307, 308)


class _NoCookies(http.cookiejar.DefaultCookiePolicy):
    def set_ok(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return False


class FetchError(Exception):
    """The request could not be completed (connection refused, timeout, TLS failure)."""


class SlowHostError(FetchError):
    """Skipped: the host sent an earlier response body too slowly (drip-feeding)."""


@dataclass
class Hop:
    """One response in a redirect chain."""

    url: str
    status: int
    location: str = ""
    set_cookies: list[str] = field(default_factory=list, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {"url": self.url, "status": self.status, "location": self.location}


@dataclass
class Page:
    """A fetched response with its redirect chain; ``body`` is capped at ``MAX_BODY``."""

    url: str
    final_url: str
    status: int
    headers: dict[str, str]
    set_cookies: list[str]
    body: bytes
    truncated: bool = False
    too_slow: bool = False  # the body was cut off at the per-request deadline
    tls_verified: bool | None = None
    chain: list[Hop] = field(default_factory=list)
    stopped: str = ""  # why redirects were not followed further ("out-of-scope: host", "limit")

    @property
    def text(self) -> str:
        return self.body.decode(self.charset, errors="replace")

    @property
    def charset(self) -> str:
        ctype = self.headers.get("content-type", "")
        for part in ctype.split(";")[1:]:
            key, _, value = part.strip().partition("=")
            if key.lower() == "charset" and value:
                try:
                    return codecs.lookup(value.strip("\"' ")).name
                except (LookupError, ValueError):  # unknown name, or one with a NUL byte
                    return "utf-8"
        return "utf-8"

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def scheme(self) -> str:
        return urlsplit(self.final_url).scheme.lower()


@dataclass
class Fetcher:
    """Shared session for one probe run on one target."""

    ctx: ProbeContext
    verify: bool | str = True
    origin: str = ""  # the target's scheme://host:port: the only one the operator's --header values go to
    max_body: int = MAX_BODY
    max_redirects: int = MAX_REDIRECTS
    session: requests.Session | None = None  # made by scanner.net.session.http_session
    requests_made: int = 0
    unverified_hosts: set[str] = field(default_factory=set)
    slow_hosts: set[str] = field(default_factory=set)
    memo: dict[tuple[str, tuple[tuple[str, str], ...]], Page] = field(default_factory=dict, repr=False)
    memo_bytes: int = 0

    @property
    def body_deadline(self) -> float:
        """Wall-clock limit for reading one response body (3 x ctx.timeout)."""
        return body_deadline(self.ctx.timeout)

    def __post_init__(self) -> None:
        if self.session is None:
            self.session = http_session(self.ctx.proxy, self.ctx.user_agent or BROWSER_UA, self.ctx.headers,
                                        origin=self.origin, allow_unverified=self.verify is False,
                                        gate=self.ctx.gate)  # 429/503 slow us down
        self.session.cookies.set_policy(_NoCookies())  # every request is a first visit

    @property
    def withheld(self) -> dict[str, int]:
        """Requests sent without the operator's ``--header`` values, by reason."""
        return getattr(self.session, "withheld", {})

    def _one(self, method: str, where: Destination, headers: dict[str, str]) -> tuple[requests.Response, bool | None]:
        host, url = where.host, where.url
        service = politeness_key(host, where.port)
        https = where.scheme == "https"
        if https and self.verify is not False and host not in self.unverified_hosts:
            with self.ctx.gate.slot(service):
                self.requests_made += 1
                try:
                    return self._send(method, url, headers, self.verify), True
                except requests.exceptions.SSLError:
                    # The certificate is judged by the TLS probe; keep observing HTTP without it.
                    self.unverified_hosts.add(host)
        with self.ctx.gate.slot(service):
            self.requests_made += 1
            return self._send(method, url, headers, not https), (False if https else None)

    def _send(self, method: str, url: str, headers: dict[str, str], verify: bool | str) -> requests.Response:
        assert self.session is not None
        return self.session.request(
            method, url, headers=headers, allow_redirects=False, stream=True,
            timeout=self.ctx.timeout, verify=verify,
        )

    def get(self, url: str, headers: dict[str, str] | None = None, *, method: str = "GET",
            follow: bool = True, same_host: bool = False) -> Page:
        """Fetch ``url``, following in-scope redirects up to the limit. Raises FetchError.

        With ``same_host`` a redirect to any other host is not followed either, even in scope.
        """
        headers = dict(headers or {})
        chain: list[Hop] = []
        try:
            where = gate(url, self.ctx.scope)
        except UnsafeURL as exc:
            raise FetchError(str(exc)) from exc
        first_host = where.host
        stopped = ""
        key = tuple(sorted(headers.items()))
        while True:
            if method == "GET" and (seen := self.memo.get((where.url, key))) is not None:
                return _reused(url, seen, chain)
            if where.host in self.slow_hosts:
                raise SlowHostError(f"skipped: {where.host} sent an earlier response body too slowly")
            try:
                resp, verified = self._one(method, where, headers)
            except HostBackedOff as exc:
                raise FetchError(str(exc)) from exc
            except requests.exceptions.RequestException as exc:
                if chain:  # a later hop failed: report what we have up to the last hop
                    stopped = f"error: {type(exc).__name__}"
                    break
                raise FetchError(describe(exc, self.ctx.timeout)) from exc
            location = resp.headers.get("Location", "")
            chain.append(Hop(where.url, resp.status_code, location, _set_cookies(resp)))
            hop = resp.status_code in _REDIRECT_CODES and bool(location)
            if not (follow and hop):
                page = self._page(url, where, resp, verified, chain, stopped)
                return page if hop else self._kept(method, key, page)
            try:
                nxt = join(where.url, location)
                if not self.ctx.scope.allows(nxt.host):
                    raise OutOfScope(nxt.host)
            except OutOfScope as exc:
                stopped = f"out-of-scope: {exc.host}"
            except UnsupportedScheme:
                stopped = "unsupported-scheme"
            except UnsafeURL as exc:
                stopped = f"unsafe-location: {exc}"
            else:
                if same_host and nxt.host != first_host:
                    stopped = f"off-site: {nxt.host}"
                elif len(chain) > self.max_redirects:
                    stopped = "redirect-limit"
            if stopped:
                return self._page(url, where, resp, verified, chain, stopped)
            resp.close()
            if resp.status_code == 303:
                method = "GET"
            where = nxt
        # only reached when a later hop failed; re-fetch nothing, return an empty page for the last hop
        last = chain[-1]
        return Page(url, last.url, last.status, {}, [], b"", chain=chain, stopped=stopped)

    def _kept(self, method: str, key: tuple[tuple[str, str], ...], page: Page) -> Page:
        """Remember a complete final GET answer for reuse while the memo has room."""
        if method == "GET" and not page.too_slow and self.memo_bytes + len(page.body) <= MEMO_BYTES:
            self.memo[(page.final_url, key)] = page
            self.memo_bytes += len(page.body)
        return page

    def _page(self, url: str, where: Destination, resp: requests.Response, verified: bool | None,
              chain: list[Hop], stopped: str) -> Page:
        try:
            body, truncated, too_slow = read_capped(resp, self.max_body, time.monotonic() + self.body_deadline)
        except (requests.exceptions.RequestException, OSError, urllib3.exceptions.HTTPError):
            body, truncated, too_slow = b"", True, False
        finally:
            resp.close()
        if too_slow:
            self.slow_hosts.add(where.host)
        headers = {k.lower(): v for k, v in resp.headers.items()}
        return Page(
            url=url, final_url=where.url, status=resp.status_code, headers=headers,
            set_cookies=_set_cookies(resp), body=body, truncated=truncated, too_slow=too_slow,
            tls_verified=verified, chain=chain, stopped=stopped,
        )


def _reused(url: str, seen: Page, chain: list[Hop]) -> Page:
    """``seen`` (a final answer) as reached from ``url`` through the redirect hops in ``chain``."""
    return Page(url, seen.final_url, seen.status, seen.headers, seen.set_cookies, seen.body, seen.truncated,
                seen.too_slow, seen.tls_verified, chain + seen.chain[-1:], seen.stopped)


def _set_cookies(resp: requests.Response) -> list[str]:
    raw = getattr(resp.raw, "headers", None)
    if raw is not None and hasattr(raw, "getlist"):
        return [str(v) for v in raw.getlist("Set-Cookie")]
    value = resp.headers.get("Set-Cookie")
    return [value] if value else []


_SSL_FILE_LINE = re.compile(r"(?<!\s)\s*\(_ssl\.c:\d+\)")


def describe(exc: Exception, timeout: float) -> str:
    """A short, readable reason for a failed request."""
    text = str(exc)
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return f"connection timed out after {timeout:g} s"
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return f"no response within {timeout:g} s"
    if isinstance(exc, requests.exceptions.SSLError):
        quoted = re.findall(r"'([^']{8,})'", text)  # the innermost quoted text is OpenSSL's reason
        reason = _SSL_FILE_LINE.sub("", quoted[-1]) if quoted else text[:160]
        return f"TLS handshake failed ({reason})"
    if "Connection refused" in text or "Errno 111" in text:
        return "connection refused"
    if "Name or service not known" in text or "getaddrinfo failed" in text or "NameResolutionError" in text:
        return "host name does not resolve"
    if "Connection reset" in text or "RemoteDisconnected" in text:
        return "connection closed by the server"
    short = text if len(text) <= 200 else text[:200] + "..."
    return f"{type(exc).__name__}: {short}"
