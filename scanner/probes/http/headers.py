"""Security response headers, parsed into plain observations (no verdicts)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

_HSTS_MAX_AGE = re.compile(r"max-age\s*=\s*\"?(\d+)\"?", re.I)
PRIVATE_REFERRER = ("no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin")
UNSAFE_REFERRER = ("origin", "origin-when-cross-origin", "unsafe-url", "no-referrer-when-downgrade")


def _value(headers: dict[str, str], name: str) -> str | None:
    value = headers.get(name)
    return value.strip() if value is not None else None


def parse_hsts(value: str | None) -> dict[str, Any]:
    if value is None:
        return {"present": False, "value": None, "max_age": None, "include_subdomains": False, "preload": False}
    directives = [d.strip().lower() for d in value.split(";") if d.strip()]
    match = _HSTS_MAX_AGE.search(value)
    return {
        "present": True,
        "value": value,
        "max_age": int(match.group(1)) if match else None,
        "include_subdomains": "includesubdomains" in directives,
        "preload": "preload" in directives,
    }


def parse_csp(value: str | None) -> dict[str, Any]:
    """CSP directives and the source keywords a rule or the score needs."""
    directives: dict[str, list[str]] = {}
    for part in (value or "").split(";"):
        tokens = part.strip().split()
        if tokens:
            directives.setdefault(tokens[0].lower(), [t.lower() for t in tokens[1:]])
    script = directives.get("script-src", directives.get("default-src", []))
    style = directives.get("style-src", directives.get("default-src", []))
    return {
        "present": value is not None,
        "value": value,
        "directives": directives,
        "script_unsafe_inline": "'unsafe-inline'" in script and not _nonce_or_hash(script),
        "script_unsafe_eval": "'unsafe-eval'" in script,
        "style_unsafe_inline": "'unsafe-inline'" in style,
        "script_insecure_scheme": any(s in ("http:", "*") or s.startswith("http://") for s in script),
        "passive_insecure_scheme": any(
            s in ("http:",) or s.startswith("http://")
            for name in ("img-src", "media-src", "font-src")
            for s in directives.get(name, [])
        ),
        "default_src_none": directives.get("default-src") == ["'none'"],
        "frame_ancestors": " ".join(directives.get("frame-ancestors", [])),
    }


def _nonce_or_hash(sources: list[str]) -> bool:
    return any(s.startswith(("'nonce-", "'sha256-", "'sha384-", "'sha512-", "'strict-dynamic'")) for s in sources)


def _simple(headers: dict[str, str], name: str) -> dict[str, Any]:
    value = _value(headers, name)
    return {"present": value is not None, "value": value}


def observe_headers(headers: dict[str, str]) -> dict[str, Any]:
    """Security-header observations for one response (``headers`` has lower-case names)."""
    referrer = _value(headers, "referrer-policy")
    # The last recognised token wins (browsers fall back through a comma-separated list).
    tokens = [t.strip().lower() for t in (referrer or "").split(",") if t.strip()]
    effective = next((t for t in reversed(tokens) if t in PRIVATE_REFERRER + UNSAFE_REFERRER), None)
    xcto = _value(headers, "x-content-type-options")
    xfo = _value(headers, "x-frame-options")
    return {
        "strict_transport_security": parse_hsts(_value(headers, "strict-transport-security")),
        "content_security_policy": parse_csp(_value(headers, "content-security-policy")),
        "content_security_policy_report_only": _simple(headers, "content-security-policy-report-only"),
        "x_frame_options": {"present": xfo is not None, "value": xfo,
                            "normalized": xfo.strip().lower() if xfo else ""},
        "x_content_type_options": {"present": xcto is not None, "value": xcto,
                                   "nosniff": (xcto or "").strip().lower() == "nosniff"},
        "referrer_policy": {"present": referrer is not None, "value": referrer, "effective": effective or "",
                            "private": effective in PRIVATE_REFERRER if effective else False},
        "permissions_policy": _simple(headers, "permissions-policy"),
        "feature_policy": _simple(headers, "feature-policy"),
        "cross_origin_resource_policy": _simple(headers, "cross-origin-resource-policy"),
        "cross_origin_opener_policy": _simple(headers, "cross-origin-opener-policy"),
        "cross_origin_embedder_policy": _simple(headers, "cross-origin-embedder-policy"),
        "cache_control": _cache(headers),
        "date": observe_date(_value(headers, "date")),
    }


def observe_date(value: str | None, now: datetime | None = None) -> dict[str, Any]:
    """The server's ``Date`` header and its offset from this machine's clock in whole seconds
    (``skew_s`` > 0: the server is ahead); ``skew_s`` is null when the header is absent or unparsable."""
    skew = None
    if value:
        try:
            stated = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            stated = None
        if stated is not None and stated.tzinfo is not None:
            skew = round((stated - (now or datetime.now(UTC))).total_seconds())
    return {"present": value is not None, "value": value, "skew_s": skew}


def _cache(headers: dict[str, str]) -> dict[str, Any]:
    value = _value(headers, "cache-control")
    directives = [d.strip().split("=")[0].lower() for d in (value or "").split(",") if d.strip()]
    return {"present": value is not None, "value": value, "no_store": "no-store" in directives,
            "private": "private" in directives, "pragma_no_cache": "no-cache" in (headers.get("pragma") or "").lower()}
