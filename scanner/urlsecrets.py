"""Passwords written inside URLs: take them out once, hide them everywhere else.

A database URL can carry a password in its user-info (``scheme://user:<password>@host/db``) or in
its query (``scheme://user@host/db?password=<password>``, as libpq and PyMySQL accept).
:func:`split_password` returns the URL without it and the password percent-decoded exactly
once (the connector encodes it once again); :func:`redact` hides passwords in free text such
as a driver's error message or a store URL echoed in an error.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote, unquote_plus, urlsplit, urlunsplit

PASSWORD_PARAMS = frozenset({"password", "passwd", "pwd"})
HIDDEN = "***"
# anchored on "://" (any scheme): a scheme run before it would be rescanned from each letter (quadratic)
_USERINFO_PASSWORD = re.compile(r"(://[^:/@\s]*):[^@\s/]*@")
_QUERY_PASSWORD = re.compile(r"(?i)([?&;](?:password|passwd|pwd|sslpassword)(?:\+|%20)*=)[^&#\s'\"]*")


def split_password(url: str) -> tuple[str, str]:
    """``(url without any password, the password decoded once)``; ``""`` when there is none.

    The user-info password wins over a query one (both are removed)."""
    parts = urlsplit(url)
    netloc, password = parts.netloc, ""
    if parts.password is not None:
        userinfo, _, hostport = netloc.rpartition("@")
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}@{hostport}" if user else hostport
        password = unquote(parts.password)
    kept: list[str] = []
    for pair in parts.query.split("&") if parts.query else []:
        name, _, value = pair.partition("=")
        if unquote_plus(name).strip().lower() in PASSWORD_PARAMS:  # "password+" is "password " to SQLAlchemy
            password = password or unquote(value)
        else:
            kept.append(pair)
    query = "&".join(kept)
    if netloc == parts.netloc and query == parts.query:
        return url, password
    clean = urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
    if not netloc and url.lower().startswith(f"{parts.scheme}://"):  # keep sqlite:///path's empty authority
        clean = f"{parts.scheme}://{clean[len(parts.scheme) + 1:]}"
    return clean, password


def redact(text: str, *secrets: str) -> str:
    """``text`` with the given secrets (raw and percent-encoded) and any URL password hidden."""
    for secret in secrets:
        for form in sorted({secret, quote(secret, safe=""), quote(secret)} - {""}, key=len, reverse=True):
            text = text.replace(form, HIDDEN)
    text = _USERINFO_PASSWORD.sub(rf"\1:{HIDDEN}@", text)
    return _QUERY_PASSWORD.sub(rf"\1{HIDDEN}", text)


def url_password(url: str) -> str:
    """The password written in ``url`` (decoded once), ``""`` if none or if the URL is malformed."""
    try:
        return split_password(url)[1]
    except ValueError:  # e.g. an unbalanced "[" in the host: only redact's patterns apply
        return ""


def redact_url(url: str) -> str:
    """A URL fit for messages and logs: its password, if any, hidden (also when it is malformed)."""
    return redact(url, url_password(url))
