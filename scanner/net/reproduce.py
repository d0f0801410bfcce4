"""How an auditor repeats an HTTP observation: the request, the answer seen, a curl command (http and auth probes)."""

from __future__ import annotations

import shlex
from typing import Any
from urllib.parse import urljoin, urlsplit

from scanner.model import Finding, Line, Reproduction, Target

_HEADER_NAMES = {"strict_transport_security": "Strict-Transport-Security",
                 "content_security_policy": "Content-Security-Policy", "x_frame_options": "X-Frame-Options",
                 "x_content_type_options": "X-Content-Type-Options", "referrer_policy": "Referrer-Policy",
                 "permissions_policy": "Permissions-Policy"}


def http_request(finding: Finding, target: Target, facts: dict[str, Any], areas: tuple[str, ...]) -> Reproduction:
    """Request line, the status and security headers seen, and the curl command (masked by the caller)."""
    ev = finding.evidence if isinstance(finding.evidence, dict) else {}
    base = str(facts.get("final_url") or target.location)
    url = str(ev.get("http_url") or ev.get("final_url") or "")
    path = ev.get("path") or ev.get("page")
    if not url:
        url = urljoin(base, str(path)) if isinstance(path, str) and path.startswith("/") else base
    method = str(ev.get("method") or "GET").upper()
    parts = urlsplit(url)
    request = f"{method} {parts.path or '/'}{'?' + parts.query if parts.query else ''} HTTP/1.1 · Host: {parts.netloc}"
    lines = [Line("repro_request", request)]
    status = ev.get("http_status") if url != base else facts.get("http_status", ev.get("http_status"))
    if status is not None:
        headers = facts.get("headers", {}) if url == base else {}
        seen = [f"{_HEADER_NAMES[k]}: {v.get('value')}" for k, v in headers.items()
                if k in _HEADER_NAMES and isinstance(v, dict) and v.get("present")]
        lines.append(Line("repro_response", " · ".join([f"HTTP {status}", *seen])))
    flags = "-sS -i" if method == "GET" else f"-sS -i -X {shlex.quote(method)}"
    insecure = " -k" if parts.scheme == "https" and facts.get("tls_verified") is False else ""
    token = _forged_token(ev)
    bearer = f" -H {shlex.quote('Authorization: Bearer ' + token)}" if token else ""
    lines.append(Line("repro_command", f"curl {flags}{insecure}{bearer} {shlex.quote(url)}"))
    return Reproduction(lines)


def _forged_token(evidence: dict[str, Any]) -> str:
    """The first accepted forged token of a forged-token finding (made up by Pindai, no secret), else "".

    Facts keep it as its three parts (``token_parts``): the redaction of tokens a site hands out
    (``net.redact``) masks whole JWTs only, and this one is Pindai's own, with no personal claim.
    """
    accepted = evidence.get("accepted")
    found = [a.get("token_parts") for a in accepted if isinstance(a, dict)] if isinstance(accepted, list) else []
    return next((".".join(t) for t in found if isinstance(t, list) and len(t) == 3
                 and all(isinstance(x, str) for x in t)), "")
