"""The one way Pindai makes an HTTP session, and the bounded body read every client shares.

``http_session`` ignores the environment (``HTTP(S)_PROXY``, ``NO_PROXY``, ``~/.netrc``,
``REQUESTS_CA_BUNDLE``): a proxy is used only when passed explicitly, so credentials and
target replies never pass through a host the operator did not name. Its sessions never follow
a redirect themselves (callers follow hops through ``scanner.net.urls.gate``), and a malformed
``Location`` no longer raises out of ``requests`` (which parses it even with allow_redirects=False).
``read_capped`` bounds one response body in size and in total wall-clock time, so a
drip-feeding peer cannot hold a request.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import requests

from scanner.net.urls import origin_of

log = logging.getLogger(__name__)
BODY_DEADLINE_FACTOR = 3  # a whole body may take at most 3 x the per-read timeout


NOT_ORIGIN = "not the target's origin"
UNVERIFIED = "certificate not verified"


class GatedSession(requests.Session):
    """A session that never follows redirects and treats the operator's headers as credentials.

    ``credentials`` (``--header``) go only to ``origin`` (``scheme://host:port`` of the target),
    and never over HTTPS with certificate verification off unless ``allow_unverified`` (the
    operator turned verification off for this target). ``withheld`` counts requests sent without
    them, by reason (``NOT_ORIGIN``, ``UNVERIFIED``).
    """

    credentials: dict[str, str]
    origin: str = ""
    allow_unverified: bool = False
    withheld: dict[str, int]

    def get_redirect_target(self, resp: requests.Response) -> None:
        return None  # every hop is the caller's, through the URL gate

    def request(self, method: str | bytes, url: str | bytes, *args: Any,
                **kwargs: Any) -> requests.Response:
        if self.credentials:
            reason = self._withheld_reason(str(url), kwargs.get("verify", self.verify))
            if reason is None:
                kwargs["headers"] = {**self.credentials, **(kwargs.get("headers") or {})}
            else:
                self.withheld[reason] = self.withheld.get(reason, 0) + 1
        return super().request(method, url, *args, **kwargs)

    def _withheld_reason(self, url: str, verify: object) -> str | None:
        where = origin_of(url)
        if not where or where != self.origin:
            return NOT_ORIGIN
        if where.startswith("https:") and verify is False and not self.allow_unverified:
            return UNVERIFIED
        return None


def http_session(proxy: str | None = None, user_agent: str | None = None,
                 headers: tuple[tuple[str, str], ...] = (), *, origin: str = "",
                 allow_unverified: bool = False) -> GatedSession:
    """A session with ``trust_env`` off; ``proxy`` (e.g. ``http://127.0.0.1:8080``) for http and https;
    ``headers`` (the operator's ``--header``) only on requests to ``origin``, see :class:`GatedSession`."""
    session = GatedSession()
    session.trust_env = False
    session.proxies = {"http": proxy, "https": proxy} if proxy else {}
    if user_agent:
        session.headers["User-Agent"] = user_agent
    session.hooks["response"].append(_log_response)
    session.credentials = dict(headers)
    session.origin = origin
    session.allow_unverified = allow_unverified
    session.withheld = {}
    return session


def _log_response(response: requests.Response, *_args: Any, **_kwargs: Any) -> None:
    """``-vv``: method, URL (no query, tokens and personal values masked), status and time to headers."""
    if log.isEnabledFor(logging.DEBUG):
        from scanner.net.redact import loggable_url

        log.debug("%s %s -> %s (%.2f s)", response.request.method, loggable_url(response.request.url or ""),
                  response.status_code, response.elapsed.total_seconds())


def body_deadline(timeout: float) -> float:
    """Seconds one response body may take in total, given the per-read ``timeout``."""
    return BODY_DEADLINE_FACTOR * timeout


def read_capped(response: requests.Response, limit: int, deadline: float) -> tuple[bytes, bool, bool]:
    """Read at most ``limit`` bytes before the monotonic ``deadline``: (body, truncated, too_slow).

    ``read1`` returns whatever one socket read delivers, so a peer that drips one byte at a time
    cannot keep a request alive past the deadline (each single read is bounded by the timeout).
    """
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        if time.monotonic() > deadline:
            return b"".join(chunks), True, True
        chunk = response.raw.read1(min(65536, limit - size), decode_content=True)
        if not chunk:
            return b"".join(chunks), False, False
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)[:limit], True, False
