"""Security response headers, parsed into plain observations (no verdicts)."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from scanner.probes.http.csp import observe_csp

PRIVATE_REFERRER = ("no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin")
UNSAFE_REFERRER = ("origin", "origin-when-cross-origin", "unsafe-url", "no-referrer-when-downgrade")


def _value(headers: dict[str, str], name: str) -> str | None:
    value = headers.get(name)
    return value.strip() if value is not None else None


def _max_age(text: str) -> int | None:
    """Leading digits of a max-age value (RFC 6797 allows it quoted); None when there are none."""
    digits = ""
    for ch in text.strip().strip('"'):
        if not ("0" <= ch <= "9"):
            break
        digits += ch
    return int(digits[:20]) if digits else None


def parse_hsts(value: str | None) -> dict[str, Any]:
    """Strict-Transport-Security directives, and why a browser would ignore the header (``invalid_reason``)."""
    facts: dict[str, Any] = {"present": value is not None, "value": value, "max_age": None,
                             "include_subdomains": False, "preload": False, "valid": False, "invalid_reason": ""}
    if value is None:
        return facts
    text = value[:1024]
    seen_max_age = False
    for directive in (d.strip().lower() for d in text.split(";")):
        name, eq, arg = directive.partition("=")
        if name.strip() == "max-age" and eq:
            seen_max_age = True
            facts["max_age"] = _max_age(arg)
        elif directive == "includesubdomains":
            facts["include_subdomains"] = True
        elif directive == "preload":
            facts["preload"] = True
    if "," in text:
        facts["invalid_reason"] = "set more than once"
    elif not seen_max_age:
        facts["invalid_reason"] = "max-age missing"
    elif facts["max_age"] is None:
        facts["invalid_reason"] = "max-age is not a number"
    facts["valid"] = not facts["invalid_reason"]
    return facts


def parse_csp(value: str | None, meta: list[str] | None = None, *, https: bool = True,
              report_only: bool = False) -> dict[str, Any]:
    """CSP facts from the header (a comma separates policies, as in browsers) and meta policies."""
    headers = [p for p in (value or "").split(",") if p.strip()] if value is not None else []
    if value is not None and not headers:
        headers = [value]  # an empty header is still a (broken) policy
    facts = observe_csp(headers, list(meta or []), https=https, report_only=report_only)
    facts["value"] = value
    weak = set(facts["weaknesses"])
    directives = facts["directives"]
    script = directives.get("script-src") or directives.get("default-src") or []
    facts.update({
        "script_unsafe_inline": "'unsafe-inline'" in script or "data:" in script,
        "script_unsafe_eval": "unsafe-eval" in weak,
        "style_unsafe_inline": "style-unsafe-inline-or-broad" in weak,
        "script_insecure_scheme": "insecure-scheme-active" in weak,
        "passive_insecure_scheme": "insecure-scheme-passive" in weak,
        "default_src_none": bool(facts.get("default_src_none")),
    })
    return facts


def _referrer(header: str | None, metas: list[str]) -> dict[str, Any]:
    """Referrer-Policy from the header and ``<meta name="referrer">``; the last recognised token wins."""
    values = ([header] if header is not None else []) + metas
    joined = ", ".join(values)
    tokens = [t.strip().lower() for t in joined.split(",") if t.strip()]
    effective = next((t for t in reversed(tokens) if t in PRIVATE_REFERRER + UNSAFE_REFERRER), None)
    return {"present": bool(values), "value": joined if values else None, "header": header,
            "meta": metas[-1] if metas else None, "effective": effective or "",
            "private": effective in PRIVATE_REFERRER if effective else False}


def _simple(headers: dict[str, str], name: str) -> dict[str, Any]:
    value = _value(headers, name)
    return {"present": value is not None, "value": value}


def observe_headers(headers: dict[str, str], *, csp_meta: list[str] | None = None,
                    referrer_meta: list[str] | None = None, https: bool = True) -> dict[str, Any]:
    """Security-header observations for one response (``headers`` has lower-case names).

    ``csp_meta`` and ``referrer_meta`` are the page's ``<meta>`` policies, which browsers apply too.
    """
    xcto = _value(headers, "x-content-type-options")
    xfo = _value(headers, "x-frame-options")
    report_only = _value(headers, "content-security-policy-report-only")
    return {
        "strict_transport_security": parse_hsts(_value(headers, "strict-transport-security")),
        "content_security_policy": parse_csp(_value(headers, "content-security-policy"), csp_meta, https=https,
                                             report_only=report_only is not None),
        "content_security_policy_report_only": _simple(headers, "content-security-policy-report-only"),
        "x_frame_options": {"present": xfo is not None, "value": xfo,
                            "normalized": xfo[:1024].strip().lower() if xfo else ""},
        "x_content_type_options": {"present": xcto is not None, "value": xcto,
                                   "nosniff": (xcto or "")[:256].strip().lower() == "nosniff"},
        "referrer_policy": _referrer(_value(headers, "referrer-policy"), list(referrer_meta or [])),
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
