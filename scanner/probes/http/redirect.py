"""Does the plain-HTTP address of the site redirect to HTTPS?"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from scanner.model import Target
from scanner.net.urls import link_host, resolve_link
from scanner.probes.http.fetch import Fetcher, FetchError, Page, SlowHostError
from scanner.probes.http.options import HttpOptions


def http_twin(target: Target) -> str:
    """The http:// address to test: the target itself, or its twin on port 80 / options["http_port"]."""
    parts = urlsplit(target.location)
    if parts.scheme == "http":
        return target.location
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    port = HttpOptions.of(target).http_port
    netloc = host if port == 80 else f"{host}:{port}"
    return urlunsplit(("http", netloc, parts.path or "/", parts.query, ""))


def _absolute(base: str, location: str) -> str:
    """``location`` resolved against ``base``; '' when absent or malformed."""
    parts = resolve_link(base, location) if location else None
    return parts.geturl() if parts else ""


def observe_redirect(fetcher: Fetcher, target: Target) -> tuple[dict[str, Any], Page | None]:
    """Facts about the http:// address, and its final page (for cookies set over HTTP)."""
    url = http_twin(target)
    try:
        page = fetcher.get(url)
    except SlowHostError as exc:
        return {"status": "inconclusive", "reason": str(exc), "http_url": url}, None
    except FetchError as exc:
        return {"status": "ok", "http_url": url, "reachable": False, "error": str(exc)}, None
    first = page.chain[0]
    first_target = _absolute(first.url, first.location)
    last = page.chain[-1]
    final = _absolute(last.url, last.location) if page.stopped and last.location else page.final_url
    first_host = link_host(first.url, first.location) if first.location else ""
    return {
        "status": "ok",
        "http_url": url,
        "reachable": True,
        "http_status": first.status,
        "redirects": bool(first.location) and 300 <= first.status < 400,
        "first_location": first.location or None,
        "first_hop_to_https": first_target.startswith("https://"),
        "first_hop_host_changed": bool(first_host) and first_host != (urlsplit(url).hostname or "").lower(),
        "final_url": final,
        "final_is_https": final.startswith("https://"),
        "final_tls_verified": page.tls_verified,
        "chain": [h.to_dict() for h in page.chain],
        "stopped": page.stopped or None,
    }, page
