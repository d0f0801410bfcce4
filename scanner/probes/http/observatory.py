"""Header score and grade computed like the MDN HTTP Observatory, from a versioned table.

The table (``rules/http/observatory-scoring.yaml``) is published data, so the score is an
observation; rules decide whether a grade is acceptable.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import http_sf
from publicsuffixlist import PublicSuffixList

from scanner.net.html import HtmlDoc
from scanner.probes.http.data import load

SIX_MONTHS = 15_552_000
_CSP_WEAKNESS = {  # weakness -> expectation, in the Observatory's order (the first found decides)
    "strict-dynamic-without-nonce": "csp-header-invalid",
    "script-unsafe-inline-or-broad": "csp-implemented-with-unsafe-inline",
    "insecure-scheme-active": "csp-implemented-with-insecure-scheme",
    "unsafe-eval": "csp-implemented-with-unsafe-eval",
    "insecure-scheme-passive": "csp-implemented-with-insecure-scheme-in-passive-content-only",
    "style-unsafe-inline-or-broad": "csp-implemented-with-unsafe-inline-in-style-src-only",
}
_CSP_PASSING = ("csp-implemented-with-no-unsafe", "csp-implemented-with-no-unsafe-default-src-none",
                "csp-implemented-with-unsafe-inline-in-style-src-only",
                "csp-implemented-with-insecure-scheme-in-passive-content-only")
# Cookie results from best to worst; a cookie can only make the result worse.
_COOKIE_ORDER = ("cookies-without-secure-flag-but-protected-by-hsts", "cookies-without-secure-flag",
                 "cookies-session-without-secure-flag-but-protected-by-hsts", "cookies-samesite-flag-invalid",
                 "cookies-anticsrf-without-samesite-flag", "cookies-session-without-httponly-flag",
                 "cookies-session-without-secure-flag")
_IGNORED_COOKIES = ("heroku-session-affinity",)  # a load-balancer cookie the Observatory does not grade


def _csp(h: dict[str, Any]) -> str:
    csp = h["content_security_policy"]
    if not csp["valid"]:
        return "csp-header-invalid"
    if not csp.get("enforced"):
        return "csp-not-implemented-but-reporting-enabled" if csp.get("report_only") else "csp-not-implemented"
    result = next((_CSP_WEAKNESS[w] for w in csp["weaknesses"]), None)
    if result is None:
        result = ("csp-implemented-with-no-unsafe-default-src-none" if csp.get("default_src_none")
                  else "csp-implemented-with-no-unsafe")
    if result in _CSP_PASSING and csp.get("duplicate_report_directives"):
        return "csp-implemented-but-duplicate-directives"
    return result


def _worse(new: str, old: str | None) -> str:
    return new if old is None or _COOKIE_ORDER.index(new) > _COOKIE_ORDER.index(old) else old


def _cookies(cookies: list[dict[str, Any]], hsts: bool) -> str:
    """The Observatory's cookie result for the cookies set while loading the main page."""
    result: str | None = None
    if any(c["final_response"] and not c["same_site_valid"] for c in cookies):
        result = "cookies-samesite-flag-invalid"
    jar = [c for c in cookies if c["name"] not in _IGNORED_COOKIES and c["prefix_ok"]]
    if not jar:
        return result or "cookies-not-found"
    for c in jar:
        name = c["name"].lower()
        session = "login" in name or "sess" in name
        if not c["secure"] and c["same_site"].lower() == "none":
            result = _worse("cookies-samesite-flag-invalid", result)
        if not c["secure"]:
            result = _worse("cookies-without-secure-flag-but-protected-by-hsts" if hsts
                            else "cookies-without-secure-flag", result)
        if "csrf" in name and not c["same_site"]:
            result = _worse("cookies-anticsrf-without-samesite-flag", result)
        if session and not c["secure"]:
            result = _worse("cookies-session-without-secure-flag-but-protected-by-hsts" if hsts
                            else "cookies-session-without-secure-flag", result)
        if session and not c["http_only"]:
            result = _worse("cookies-session-without-httponly-flag", result)
    if result:
        return result
    if all(c["same_site"] for c in jar):
        return "cookies-secure-with-httponly-sessions-and-samesite"
    return "cookies-secure-with-httponly-sessions"


def _cors(cors: list[dict[str, Any]]) -> str:
    """Only a reflected origin with credentials is universal access: browsers refuse ``*`` with credentials."""
    main = next((c for c in cors if c.get("status") == "ok"), None)
    if main is None or main["allow_origin"] is None:
        return "cross-origin-resource-sharing-not-implemented"
    if main["wildcard"]:
        return "cross-origin-resource-sharing-implemented-with-public-access"
    if main["allow_credentials"] and main["reflects_origin"]:
        return "cross-origin-resource-sharing-implemented-with-universal-access"
    return "cross-origin-resource-sharing-implemented-with-restricted-access"


def _redirection(redirect: dict[str, Any]) -> str:
    if redirect.get("status") != "ok" or not redirect.get("reachable"):
        return "redirection-not-needed-no-http"
    if redirect.get("final_tls_verified") is False:
        return "redirection-invalid-cert"
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
    if not hsts["valid"]:
        return "hsts-header-invalid"
    return ("hsts-implemented-max-age-at-least-six-months" if hsts["max_age"] >= SIX_MONTHS
            else "hsts-implemented-max-age-less-than-six-months")


def _registrable(host: str) -> str | None:
    """The registrable domain (ICANN public suffix list); None for IP addresses and bare suffixes."""
    if not host or host.replace(".", "").isdigit() or ":" in host:
        return None
    return _suffixes().privatesuffix(host.lower())


@lru_cache(maxsize=1)
def _suffixes() -> PublicSuffixList:
    return PublicSuffixList(only_icann=True)


_SRI_ORDER = ("sri-implemented-and-all-scripts-loaded-securely",
              "sri-implemented-and-external-scripts-loaded-securely",
              "sri-implemented-but-external-scripts-not-loaded-securely",
              "sri-not-implemented-but-external-scripts-loaded-securely",
              "sri-not-implemented-and-external-scripts-not-loaded-securely",
              "sri-not-implemented-response-not-html")


def _sri_worse(new: str, old: str | None) -> str:
    return new if old is None or _SRI_ORDER.index(new) > _SRI_ORDER.index(old) else old


def _sri(doc: HtmlDoc | None, final_url: str) -> str:
    """Scripts from another registrable domain (or protocol-relative) need integrity and https."""
    if doc is None:
        return "sri-not-implemented-response-not-html"
    if not doc.scripts and not doc.inline_scripts:
        return "sri-not-implemented-but-no-scripts-loaded"
    site = _registrable(urlsplit(final_url).hostname or "")
    page_https = final_url.startswith("https:")
    result: str | None = None
    foreign = False
    for src, integrity in doc.scripts:
        relative_protocol = src.startswith("//") and not src.startswith("///")
        absolute = src.startswith(("http://", "https://"))
        relative = not relative_protocol and not absolute
        secure_scheme = src.startswith("https://") or (relative and page_https)
        same_site = relative or (absolute and _registrable(urlsplit(src).hostname or "") == site)
        if relative or (same_site and not relative_protocol):
            if integrity and secure_scheme and result is None:
                result = "sri-implemented-and-all-scripts-loaded-securely"
            continue
        foreign = True
        if integrity and not secure_scheme:
            result = _sri_worse("sri-implemented-but-external-scripts-not-loaded-securely", result)
        elif not integrity:
            result = _sri_worse("sri-not-implemented-but-external-scripts-loaded-securely" if secure_scheme
                                else "sri-not-implemented-and-external-scripts-not-loaded-securely", result)
    if result:
        return result
    return ("sri-implemented-and-external-scripts-loaded-securely" if foreign
            else "sri-not-implemented-but-all-scripts-loaded-from-secure-origin")


def _xcto(h: dict[str, Any]) -> str:
    x = h["x_content_type_options"]
    if not x["present"]:
        return "x-content-type-options-not-implemented"
    return "x-content-type-options-nosniff" if x["nosniff"] else "x-content-type-options-header-invalid"


def _xfo(h: dict[str, Any]) -> str:
    if "frame-ancestors" in h["content_security_policy"]["directives"]:
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


def _corp(h: dict[str, Any]) -> str:
    x = h["cross_origin_resource_policy"]
    if not x["present"] or not x["value"]:
        return "corp-not-implemented"
    value = x["value"][:256].strip().lower()
    return {"same-origin": "corp-implemented-with-same-origin", "same-site": "corp-implemented-with-same-site",
            "cross-origin": "corp-implemented-with-cross-origin"}.get(value, "corp-header-invalid")


def _sf_token(value: str) -> str | None:
    """The token of a structured-field item (RFC 8941), parameters ignored; None if it is not one."""
    try:
        parsed: Any = http_sf.parse(value[:1024].strip().encode(), tltype="item")
    except ValueError:  # http_sf.StructuredFieldError: not a structured field
        return None
    item = parsed[0]  # (bare item, parameters)
    return str(item) if isinstance(item, http_sf.Token) else None


def _token_policy(h: dict[str, Any], key: str, prefix: str, values: tuple[str, ...]) -> str:
    """COOP/COEP: a structured-field token, compared as browsers do (case-sensitive)."""
    x = h[key]
    if not x["present"] or not x["value"]:
        return f"{prefix}-not-implemented"
    token = _sf_token(x["value"])
    return f"{prefix}-implemented-with-{token}" if token in values else f"{prefix}-header-invalid"


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
    hsts = _hsts(h, scheme, tls_verified)
    results = {
        "content-security-policy": _csp(h),
        "cookies": _cookies(cookies, hsts == "hsts-implemented-max-age-at-least-six-months"),
        "cross-origin-resource-sharing": _cors(cors),
        "redirection": _redirection(redirect),
        "referrer-policy": _referrer(h),
        "strict-transport-security": hsts,
        "subresource-integrity": _sri(doc, final_url),
        "x-content-type-options": _xcto(h),
        "x-frame-options": _xfo(h),
        "cross-origin-resource-policy": _corp(h),
        "cross-origin-opener-policy": _token_policy(h, "cross_origin_opener_policy", "coop", (
            "same-origin", "same-origin-allow-popups", "noopener-allow-popups", "unsafe-none")),
        "cross-origin-embedder-policy": _token_policy(h, "cross_origin_embedder_policy", "coep", (
            "require-corp", "credentialless", "unsafe-none")),
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
