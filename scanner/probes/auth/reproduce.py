"""How an auditor repeats an auth finding that names a request path: the same HTTP steps as the http probe."""

from __future__ import annotations

from typing import Any

from scanner.model import Finding, Reproduction, Target
from scanner.net.reproduce import http_request


def reproduce(finding: Finding, target: Target, facts: dict[str, Any], areas: tuple[str, ...]) -> Reproduction:
    """The request behind a finding on one path; nothing for target-level findings (token analysis)."""
    if isinstance(finding.evidence, dict) and finding.evidence.get("path"):
        return http_request(finding, target, facts, areas)
    return Reproduction()
