"""URLs as they may appear in logs and facts: tokens and secret query values hidden.

A site may hand out credentials in URLs (``/home?token=eyJ…``, ``?access_token=``, ``?api_key=``);
those URLs end up as page paths, endpoint keys and token sources. :func:`redact_secrets` hides
every JWT-shaped string and the value of every query parameter whose name says it is a
credential; :func:`redact_facts` applies it to a whole observation (the runner does, once, before
facts are judged, stored or reported). Both patterns run in linear time on hostile input: a
token starts only at a token boundary and a secret value only after ``?``/``&``/``;`` and a name.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from scanner.pii.scrubbing import scrub_text

HIDDEN = "***"
JWT_MASK = "<jwt>"
# A token starts where a run of base64url characters starts: each run is tried once, so matching
# stays linear on hostile text such as "eyJeyJeyJ..." (without the look-behind every "eyJ" inside
# the run would start a scan to its end: quadratic).
JWT_PATTERN = re.compile(r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*")
SECRET_PARAMS = ("access_token", "id_token", "refresh_token", "auth_token", "token", "jwt", "api_key", "apikey",
                 "api-key", "key", "secret", "client_secret", "password", "passwd", "pwd", "sslpassword", "auth",
                 "session", "sessionid", "session_id", "sid", "signature", "sig", "code", "otp", "ticket")
_NAMES = "|".join(re.escape(p) for p in SECRET_PARAMS)
_SECRET_QUERY = re.compile(rf"(?i)([?&;](?:{_NAMES})(?:\+|%20)*=)[^&#\s\"'<>]*+")


def redact_secrets(text: str) -> str:
    """``text`` with JWTs replaced by ``<jwt>`` and credential-like query values by ``***``."""
    if "=" in text:
        text = _SECRET_QUERY.sub(rf"\1{HIDDEN}", text)
    if "eyJ" in text:
        text = JWT_PATTERN.sub(JWT_MASK, text)
    return text


def redact_facts(obj: Any) -> Any:
    """``obj`` (facts: dicts, lists, strings) with :func:`redact_secrets` applied to every string and key."""
    if isinstance(obj, str):
        return redact_secrets(obj)
    if isinstance(obj, dict):
        return {(redact_secrets(k) if isinstance(k, str) else k): redact_facts(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return type(obj)(redact_facts(v) for v in obj)
    return obj


def loggable_url(url: str) -> str:
    """The URL without its query, with JWTs and personal values masked (for ``-vv`` logs)."""
    parts = urlsplit(url)
    return redact_secrets(scrub_text(f"{parts.scheme}://{parts.netloc}{parts.path}"[:300]))
