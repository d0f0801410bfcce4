"""One parser for every URL Pindai requests: the destination exactly as ``requests`` connects to it.

``requests`` prepares a URL (IDNA host, re-quoting; urllib3 treats ``\\`` as a path separator) and
then connects to ``urlparse(prepared).hostname``. ``destination`` runs that same preparation and
reads host and port the same way, so what the scope check approves is what the client contacts.
URLs derived from target content are refused when they carry ``\\``, userinfo or control
characters, or when urllib3's and the standard library's parsers disagree about the host.

``gate(url, scope)`` is the check every probe request passes; ``join`` resolves a link from a
page or a Location header; ``resolve_link``/``link_host`` say where a link points, for facts
only (no request; they never raise).
"""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass
from urllib.parse import SplitResult, urljoin, urlsplit

import requests
from urllib3.util import parse_url

from scanner.net.resolve import private_refusal
from scanner.running.scope import Scope

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_HOST_CHARS = re.compile(r"^[a-z0-9._:-]+$")  # DNS names (with _), IPv4 and unbracketed IPv6
DEFAULT_PORTS = {"http": 80, "https": 443}


class UnsafeURL(ValueError):
    """The URL is malformed or ambiguous and is not requested; the message says why."""


class UnsupportedScheme(UnsafeURL):
    """The URL is not http:// or https:// (``mailto:``, ``javascript:``, ``ftp:`` ...)."""


class OutOfScope(UnsafeURL):
    """The URL is well-formed but its host is outside the scan scope."""

    def __init__(self, host: str, why: str = "") -> None:
        super().__init__(why or f"host {host} is outside the scan scope")
        self.host = host



def is_ip_literal(host: str) -> bool:
    """Whether ``host`` is an IPv4 or IPv6 address (brackets allowed), not a name (no SNI for it)."""
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True

@dataclass(frozen=True)
class Destination:
    """Where a request really goes. ``url`` is the prepared URL to hand to the HTTP client."""

    url: str
    scheme: str
    host: str  # lower case, IDNA-encoded, IPv6 without brackets
    port: int
    path: str  # path and query, as sent on the request line

    @property
    def origin(self) -> tuple[str, str, int]:
        """(scheme, host, port): the unit credentials are bound to."""
        return self.scheme, self.host, self.port


def _prepared(url: str) -> tuple[str, SplitResult]:
    """The URL as ``requests`` prepares it, split the way its adapter reads host and port."""
    request = requests.PreparedRequest()
    try:
        request.prepare_url(url, None)
    except (requests.RequestException, ValueError, UnicodeError) as exc:
        raise UnsafeURL(f"malformed URL: {exc}") from exc
    prepared = request.url or ""
    try:
        return prepared, urlsplit(prepared)
    except ValueError as exc:
        raise UnsafeURL(f"malformed URL: {exc}") from exc


def _odd_ipv4(host: str) -> bool:
    """True for ``0x7f.1``, ``2130706433``, ``0177.0.0.1``: the resolver reads them as an IPv4 address."""
    try:
        socket.inet_aton(host)
    except OSError:
        return False
    try:
        return str(ipaddress.IPv4Address(host)) != host
    except ValueError:
        return True


def destination(url: str) -> Destination:
    """Parse ``url`` as the HTTP client will connect to it; raise UnsafeURL if it is refused."""
    if "\\" in url:
        raise UnsafeURL("URL contains a backslash")
    if _CONTROL.search(url):
        raise UnsafeURL("URL contains a control character")
    prepared, parts = _prepared(url)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise UnsupportedScheme(f"not an http(s) URL (scheme {scheme or 'missing'!r})")
    try:
        host, port = (parts.hostname or "").lower(), parts.port
        check = parse_url(prepared)
    except ValueError as exc:
        raise UnsafeURL(f"malformed URL: {exc}") from exc
    if parts.username is not None or parts.password is not None or check.auth:
        raise UnsafeURL("URL carries user information (user@host)")
    if not host or not _HOST_CHARS.match(host):
        raise UnsafeURL(f"URL has no usable host ({host!r})")
    if _odd_ipv4(host):
        raise UnsafeURL(f"host {host} is an unusual spelling of an IPv4 address")
    if (check.host or "").lower().strip("[]") != host or (check.port or None) != port:
        raise UnsafeURL("URL parsers disagree about the host")
    if port == 0:
        raise UnsafeURL("URL names port 0")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Destination(prepared, scheme, host, port or DEFAULT_PORTS[scheme], path)


def gate(url: str, scope: Scope) -> Destination:
    """The destination of ``url`` if it may be requested in ``scope``; raise UnsafeURL/OutOfScope.

    The host's address is resolved once and checked too (``net.resolve``); connections use it."""
    where = destination(url)
    if not scope.allows(where.host):
        raise OutOfScope(where.host)
    if (refusal := private_refusal(where.host, scope)) is not None:
        raise OutOfScope(where.host, refusal)
    return where


def origin_of(url: str) -> str:
    """``scheme://host:port`` of ``url`` as the client connects to it ('' when malformed)."""
    try:
        scheme, host, port = destination(url).origin
    except UnsafeURL:
        return ""
    return f"{scheme}://[{host}]:{port}" if ":" in host else f"{scheme}://{host}:{port}"


def join(base: str, link: str) -> Destination:
    """The destination of ``link`` (from a page or a Location header) relative to ``base``."""
    try:
        absolute = urljoin(base, link.strip(" \t\r\n\f"))
    except ValueError as exc:
        raise UnsafeURL(f"malformed link: {exc}") from exc
    return destination(absolute)


def resolve_link(base: str, link: str) -> SplitResult | None:
    """``link`` on page ``base`` as a client would request it (prepared, split); None if malformed.

    For facts about where links point (no request is made): a ``\\`` counts as a path separator,
    as in browsers and urllib3, so a link cannot hide its real host behind one.
    """
    try:
        return _prepared(urljoin(base, link.strip(" \t\r\n\f")))[1]
    except (UnsafeURL, ValueError):
        return None


def link_host(base: str, link: str) -> str:
    """Host that ``link`` on page ``base`` points to; '' when it has none or is malformed."""
    parts = resolve_link(base, link)
    try:
        return (parts.hostname or "").lower() if parts else ""
    except ValueError:
        return ""
