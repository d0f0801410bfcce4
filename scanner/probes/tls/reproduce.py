"""How an auditor repeats a tls finding: an ``openssl s_client`` command for the same handshake."""

from __future__ import annotations

import shlex
from typing import Any
from urllib.parse import urlsplit

from scanner.model import Finding, Line, Reproduction, Target

_OPENSSL_FLAGS = {"SSLv2": "-ssl2", "SSLv3": "-ssl3", "TLSv1.0": "-tls1", "TLSv1.1": "-tls1_1",
                  "TLSv1.2": "-tls1_2", "TLSv1.3": "-tls1_3"}
_PORTS = {"https": 443, "postgresql": 5432, "postgres": 5432, "mysql": 3306, "mariadb": 3306}
_STARTTLS = {"postgresql": "postgres", "postgres": "postgres", "mysql": "mysql", "mariadb": "mysql"}


def reproduce(finding: Finding, target: Target, facts: dict[str, Any], areas: tuple[str, ...]) -> Reproduction:
    """The handshake as one command; ``-showcerts`` when the rule is about the certificate (reads it first)."""
    parts = urlsplit(target.location)
    host = parts.hostname or target.location
    port = parts.port or _PORTS.get(parts.scheme, 443)
    ev = finding.evidence if isinstance(finding.evidence, dict) else {}
    args = ["openssl", "s_client", "-connect", f"{host}:{port}", "-servername", host]
    if parts.scheme in _STARTTLS:
        args += ["-starttls", _STARTTLS[parts.scheme]]
    protocol = str(ev.get("protocol") or ev.get("name") or "")
    if protocol in _OPENSSL_FLAGS:
        args.append(_OPENSSL_FLAGS[protocol])
    suites = ev.get("suites")
    if isinstance(suites, list) and suites and all(isinstance(x, str) for x in suites) and protocol != "TLSv1.3":
        args += ["-cipher", ":".join(suites)]
    if areas[:1] == ("certificate",) or "subject" in ev or "not_after" in ev:
        args.append("-showcerts")
    return Reproduction([Line("repro_command", " ".join(shlex.quote(a) for a in args) + " </dev/null")])
