"""How an auditor repeats an auth finding that names a request path: the same HTTP steps as the http probe.

A forged token accepted in the site's own cookie or query parameter (black-box carriers) is repeated
there, not in ``Authorization: Bearer``: the carrier is read from the variant in the observation's
facts that holds the same token.
"""

from __future__ import annotations

import dataclasses
import shlex
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

from scanner.model import Finding, Line, Reproduction, Target
from scanner.net.reproduce import http_request


def reproduce(finding: Finding, target: Target, facts: dict[str, Any], areas: tuple[str, ...]) -> Reproduction:
    """The request behind a finding on one path; nothing for target-level findings (token analysis)."""
    evidence = finding.evidence if isinstance(finding.evidence, dict) else {}
    if not evidence.get("path"):
        return Reproduction()
    carried = _carried(evidence, facts)
    if carried is None:
        return http_request(finding, target, facts, areas)
    kind, name, token = carried
    accepted = [{k: v for k, v in a.items() if k != "token_parts"} for a in evidence.get("accepted", [])
                if isinstance(a, dict)]
    url = urljoin(str(facts.get("final_url") or target.location), str(evidence["path"]))
    if kind == "query":
        url += ("&" if urlsplit(url).query else "?") + f"{quote(name)}={token}"
    plain = dataclasses.replace(finding, evidence={**evidence, "accepted": accepted, "http_url": url})
    steps = http_request(plain, target, facts, areas)
    if kind == "cookie":  # the curl command carries the forged token as the site's cookie
        cookie = "curl -sS -i -b " + shlex.quote(f"{name}={token}") + " "
        steps = dataclasses.replace(steps, lines=[
            Line(line.label, line.value.replace("curl -sS -i ", cookie, 1)) if line.label == "repro_command" else line
            for line in steps.lines])
    return steps


def _carried(evidence: dict[str, Any], facts: dict[str, Any]) -> tuple[str, str, str] | None:
    """(carrier kind, name, token) of the first accepted forged token when it went in a cookie or a query
    parameter; None for the bearer header or no token."""
    accepted = evidence.get("accepted")
    parts = next((a.get("token_parts") for a in accepted if isinstance(a, dict) and a.get("token_parts")), None) \
        if isinstance(accepted, list) else None
    if not isinstance(parts, list):
        return None
    for endpoint in facts.get("endpoints", []) if isinstance(facts.get("endpoints"), list) else []:
        if not isinstance(endpoint, dict) or endpoint.get("path") != evidence.get("path"):
            continue
        for variant in endpoint.get("variants", []):
            if isinstance(variant, dict) and variant.get("token_parts") == parts \
                    and variant.get("carrier") in ("cookie", "query"):
                return str(variant["carrier"]), str(variant.get("carrier_name", "")), ".".join(parts)
    return None
