"""Header score and grade computed like the MDN HTTP Observatory, from a versioned table.

The table (``rules/http/observatory-scoring.yaml``) is published data, so the score is an
observation; rules decide whether a grade is acceptable.
"""

from __future__ import annotations

from typing import Any

from scanner.net.urls import link_host, resolve_link
from scanner.probes.http.data import load
from scanner.probes.http.html import HtmlDoc

SIX_MONTHS = 15_552_000


def _csp(h: dict[str, Any]) -> str:
    csp = h["content_security_policy"]
    if not csp["present"]:
        return "csp-not-implemented"
    if not csp["directives"]:
        return "csp-header-invalid"
    if csp["script_unsafe_inline"]:
        return "csp-implemented-with-unsafe-inline"
    if csp["script_insecure_scheme"]:
        return "csp-implemented-with-insecure-scheme"
    if csp["script_unsafe_eval"]:
        return "csp-implemented-with-unsafe-eval"
    if csp["passive_insecure_scheme"]:
        return "csp-implemented-with-insecure-scheme-in-passive-content-only"
    if csp["style_unsafe_inline"]:
        return "csp-implemented-with-unsafe-inline-in-style-src-only"
    if csp["default_src_none"]:
        return "csp-implemented-with-no-unsafe-default-src-none"
    return "csp-implemented-with-no-unsafe"


def _cookies(cookies: list[dict[str, Any]], hsts: bool) -> str:
    if not cookies:
        return "cookies-not-found"
    found: list[str] = []
    for c in cookies:
        if not c["same_site_valid"]:
            found.append("cookies-samesite-flag-invalid")
        if c["session_like"] and not c["secure"]:
            found.append("cookies-session-without-secure-flag-but-protected-by-hsts" if hsts
                         else "cookies-session-without-secure-flag")
        elif not c["secure"]:
            found.append("cookies-without-secure-flag-but-protected-by-hsts" if hsts else "cookies-without-secure-flag")
        if c["session_like"] and not c["http_only"]:
            found.append("cookies-session-without-httponly-flag")
        if c["anti_csrf_like"] and not c["same_site"]:
            found.append("cookies-anticsrf-without-samesite-flag")
    if found:
        return min(found, key=lambda e: _modifier("cookies", e))
    if all(c["same_site"] for c in cookies):
        return "cookies-secure-with-httponly-sessions-and-samesite"
    return "cookies-secure-with-httponly-sessions"


def _cors(cors: list[dict[str, Any]]) -> str:
    main = next((c for c in cors if c.get("status") == "ok"), None)
    if main is None or main["allow_origin"] is None:
        return "cross-origin-resource-sharing-not-implemented"
    if main["allow_credentials"] and (main["reflects_origin"] or main["wildcard"]):
        return "cross-origin-resource-sharing-implemented-with-universal-access"
    if main["wildcard"]:
        return "cross-origin-resource-sharing-implemented-with-public-access"
    return "cross-origin-resource-sharing-implemented-with-restricted-access"


def _redirection(redirect: dict[str, Any]) -> str:
    if redirect.get("status") != "ok" or not redirect.get("reachable"):
        return "redirection-not-needed-no-http"
    if not redirect["redirects"]:
        return "redirection-missing"
    if not redirect["final_is_https"]:
        return "redirection-not-to-https"
    if not redirect["first_hop_to_https"]:
        return "redirection-not-to-https-on-initial-redirection"
    if redirect.get("first_hop_host_changed"):
        return "redirection-off-host-from-http"
    return "redirection-to-https"


def _referrer(h: dict[str, Any]) -> str:
    ref = h["referrer_policy"]
    if not ref["present"]:
        return "referrer-policy-not-implemented"
    if not ref["effective"]:
        return "referrer-policy-header-invalid"
    return "referrer-policy-private" if ref["private"] else "referrer-policy-unsafe"


def _hsts(h: dict[str, Any], scheme: str, tls_verified: bool | None) -> str:
    if scheme != "https":
        return "hsts-not-implemented-no-https"
    if tls_verified is False:
        return "hsts-invalid-cert"
    hsts = h["strict_transport_security"]
    if not hsts["present"]:
        return "hsts-not-implemented"
    if hsts["max_age"] is None:
        return "hsts-header-invalid"
    return ("hsts-implemented-max-age-at-least-six-months" if hsts["max_age"] >= SIX_MONTHS
            else "hsts-implemented-max-age-less-than-six-months")


def _sri(doc: HtmlDoc | None, final_url: str) -> str:
    if doc is None:
        return "sri-not-implemented-response-not-html"
    if not doc.scripts:
        return "sri-not-implemented-but-no-scripts-loaded"
    site_host = link_host(final_url, "")
    external = []
    for src, integrity in doc.scripts:
        url = resolve_link(final_url, src)
        if url is None:  # malformed src: the browser loads nothing from it
            continue
        if (url.hostname or "").lower() != site_host:
            external.append((url.scheme == "https", bool(integrity)))
    if not external:
        return "sri-not-implemented-but-all-scripts-loaded-from-secure-origin"
    secure = all(s for s, _ in external)
    with_sri = all(i for _, i in external)
    if with_sri:
        return ("sri-implemented-and-external-scripts-loaded-securely" if secure
                else "sri-implemented-but-external-scripts-not-loaded-securely")
    return ("sri-not-implemented-but-external-scripts-loaded-securely" if secure
            else "sri-not-implemented-and-external-scripts-not-loaded-securely")


def _xcto(h: dict[str, Any]) -> str:
    x = h["x_content_type_options"]
    if not x["present"]:
        return "x-content-type-options-not-implemented"
    return "x-content-type-options-nosniff" if x["nosniff"] else "x-content-type-options-header-invalid"


def _xfo(h: dict[str, Any]) -> str:
    if h["content_security_policy"].get("frame_ancestors"):
        return "x-frame-options-implemented-via-csp"
    x = h["x_frame_options"]
    if not x["present"]:
        return "x-frame-options-not-implemented"
    value = x["normalized"] or ""
    if value in ("deny", "sameorigin"):
        return "x-frame-options-sameorigin-or-deny"
    if value.startswith("allow-from"):
        return "x-frame-options-allow-from-origin"
    return "x-frame-options-header-invalid"


def _enumerated(h: dict[str, Any], key: str, prefix: str, values: dict[str, str]) -> str:
    x = h[key]
    if not x["present"]:
        return f"{prefix}-not-implemented"
    value = (x["value"] or "").strip().lower()
    return values.get(value, f"{prefix}-header-invalid")


def _modifier(test: str, expectation: str) -> int:
    return int(load("observatory-scoring")["modifiers"][test][expectation])


def grade_for(score: int) -> str:
    table = load("observatory-scoring")
    rounded = min(score - score % 5, 100)
    for floor in sorted((int(k) for k in table["grades"]), reverse=True):
        if rounded >= floor:
            return str(table["grades"][floor])
    return "F"


def score(h: dict[str, Any], *, scheme: str, tls_verified: bool | None, cookies: list[dict[str, Any]],
          cors: list[dict[str, Any]], redirect: dict[str, Any], doc: HtmlDoc | None, final_url: str) -> dict[str, Any]:
    """Score and grade of one response, with each test's expectation and modifier."""
    table = load("observatory-scoring")
    hsts_ok = scheme == "https" and h["strict_transport_security"]["present"]
    results = {
        "content-security-policy": _csp(h),
        "cookies": _cookies(cookies, hsts_ok),
        "cross-origin-resource-sharing": _cors(cors),
        "redirection": _redirection(redirect),
        "referrer-policy": _referrer(h),
        "strict-transport-security": _hsts(h, scheme, tls_verified),
        "subresource-integrity": _sri(doc, final_url),
        "x-content-type-options": _xcto(h),
        "x-frame-options": _xfo(h),
        "cross-origin-resource-policy": _enumerated(h, "cross_origin_resource_policy", "corp", {
            "same-origin": "corp-implemented-with-same-origin", "same-site": "corp-implemented-with-same-site",
            "cross-origin": "corp-implemented-with-cross-origin"}),
        "cross-origin-opener-policy": _enumerated(h, "cross_origin_opener_policy", "coop", {
            "same-origin": "coop-implemented-with-same-origin",
            "same-origin-allow-popups": "coop-implemented-with-same-origin-allow-popups",
            "noopener-allow-popups": "coop-implemented-with-noopener-allow-popups",
            "unsafe-none": "coop-implemented-with-unsafe-none"}),
    }
    modifiers = {name: _modifier(name, exp) for name, exp in results.items()}
    tests = [{"name": name, "expectation": exp, "modifier": modifiers[name]} for name, exp in results.items()]
    start = int(table.get("start", 100))
    uncurved = start + sum(m for m in modifiers.values() if m < 0)
    extra = start + sum(modifiers.values())
    final = max(0, extra if uncurved >= int(table["minimum_score_for_extra_credit"]) else uncurved)
    return {
        "scoring_version": str(table["version"]),
        "based_on": str(table.get("based_on", "")),
        "score": final,
        "grade": grade_for(final),
        "tests": tests,
    }
