"""Set-Cookie attributes as observations. Cookie values are never recorded."""

from __future__ import annotations

import re
from typing import Any

# Names used by common frameworks for session identifiers (an observation of naming, not a verdict).
_SESSION = re.compile(
    r"(sess|sid$|^sid|login|auth|token|laravel_session|ci_session|phpsessid|jsessionid|asp\.net_sessionid|"
    r"connect\.sid|wordpress_logged_in|remember)",
    re.I,
)
_CSRF = re.compile(r"(csrf|xsrf)", re.I)
_SAMESITE_VALUES = ("strict", "lax", "none")


def parse_set_cookie(header: str, scheme: str, path: str = "/") -> dict[str, Any]:
    """One ``Set-Cookie`` header as a dict; ``scheme`` is where it was received."""
    parts = [p.strip() for p in header.split(";")]
    name = parts[0].split("=", 1)[0].strip() if parts else ""
    attrs: dict[str, str] = {}
    for part in parts[1:]:
        key, _, value = part.partition("=")
        attrs[key.strip().lower()] = value.strip()
    samesite = attrs.get("samesite")
    return {
        "name": name,
        "received_over": scheme,
        "page": path,
        "secure": "secure" in attrs,
        "http_only": "httponly" in attrs,
        "same_site": samesite.capitalize() if samesite else "",
        "same_site_valid": samesite is None or samesite.lower() in _SAMESITE_VALUES,
        "persistent": "expires" in attrs or "max-age" in attrs,
        "domain": attrs.get("domain") or None,
        "path": attrs.get("path") or None,
        "session_like": bool(_SESSION.search(name)) and not _CSRF.search(name),
        "anti_csrf_like": bool(_CSRF.search(name)),
        "host_prefix": name.startswith("__Host-"),
        "secure_prefix": name.startswith("__Secure-"),
        "prefix_ok": _prefix_ok(name, attrs, scheme),
    }


def _prefix_ok(name: str, attrs: dict[str, str], scheme: str) -> bool:
    """False when browsers reject the cookie for its name prefix (RFC 6265bis 4.1.3)."""
    if name.startswith(("__Secure-", "__Host-")) and ("secure" not in attrs or scheme != "https"):
        return False
    return not name.startswith("__Host-") or ("domain" not in attrs and attrs.get("path") == "/")


def observe_cookies(set_cookies: list[tuple[str, str, str]]) -> list[dict[str, Any]]:
    """Cookies from (header, scheme, page path) triples; one entry per (name, scheme)."""
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    for header, scheme, path in set_cookies:
        cookie = parse_set_cookie(header, scheme, path)
        if cookie["name"]:
            seen.setdefault((cookie["name"], scheme), cookie)
    return list(seen.values())
