"""CORS behaviour towards a foreign Origin. The probe origin is never contacted."""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

from scanner.probes.base import SubStatus
from scanner.probes.http.fetch import Fetcher, FetchError

PROBE_ORIGIN = "https://pindai-origin-check.invalid"


def observe_cors(fetcher: Fetcher, base_url: str, paths: list[str]) -> list[dict[str, Any]]:
    """For each path: what Access-Control-* headers answer a request from ``PROBE_ORIGIN``."""
    results: list[dict[str, Any]] = []
    for path in paths:
        url = urljoin(base_url, path)
        try:
            page = fetcher.get(url, {"Origin": PROBE_ORIGIN}, follow=False)
        except FetchError as exc:
            results.append({"path": path, "status": SubStatus.INCONCLUSIVE, "reason": str(exc)})
            continue
        allow_origin = page.headers.get("access-control-allow-origin")
        credentials = (page.headers.get("access-control-allow-credentials") or "").strip().lower() == "true"
        vary = [v.strip().lower() for v in (page.headers.get("vary") or "").split(",")]
        results.append({
            "path": path,
            "status": SubStatus.OK,
            "http_status": page.status,
            "probe_origin": PROBE_ORIGIN,
            "allow_origin": allow_origin,
            "allow_credentials": credentials,
            "reflects_origin": allow_origin is not None and allow_origin.strip() == PROBE_ORIGIN,
            "wildcard": allow_origin is not None and allow_origin.strip() == "*",
            "null_origin_allowed": allow_origin is not None and allow_origin.strip().lower() == "null",
            "vary_origin": "origin" in vary,
        })
    return results
