"""The black-box mode against a hostile portal: bounded work, no crash, honest facts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from fixtures.portal.hostile import create_hostile_app
from fixtures.web.server import serve
from scanner.model import Target, TargetKind
from scanner.probes.auth.blackbox import MAX_ENDPOINTS, MAX_FORGERY_TARGETS, REQUEST_BUDGET, _record_limits
from scanner.probes.auth.probe import AuthProbe
from scanner.running.runner import observe

from .conftest import context


@pytest.fixture(scope="module")
def facts() -> Iterator[dict[str, Any]]:
    base, _, stop = serve(create_hostile_app())
    try:
        observed = observe(AuthProbe(), Target(TargetKind.URL, base), context())
    finally:
        stop()
    assert observed.status == "ok", observed.reason
    yield observed.data


def test_work_is_bounded(facts: dict[str, Any]) -> None:
    assert facts["requests_sent"] <= REQUEST_BUDGET
    assert len(facts["endpoints"]) <= MAX_ENDPOINTS
    assert facts["discovery"]["endpoints_over_limit"] > 0  # said aloud, not silently dropped
    forged = [e for e in facts["endpoints"] if any(v["name"].startswith("forged-") and v["status"] == "ok"
                                                    for v in e["variants"])]
    assert len(forged) <= MAX_FORGERY_TARGETS


def test_hostile_descriptions_are_reported_not_fatal(facts: dict[str, Any]) -> None:
    by_path = {d["path"]: d for d in facts["discovery"]["descriptions"]}
    assert by_path["/openapi.yaml"]["status"] == "invalid"  # alias bomb refused
    assert by_path["/swagger.json"]["status"] == "invalid"  # nesting too deep for the parser
    assert by_path["/openapi.json"]["status"] == "found"


def test_changing_refusals_are_not_flips(facts: dict[str, Any]) -> None:
    """Every 401 body differs (a nonce), yet no forged token counts as accepted."""
    for endpoint in facts["endpoints"]:
        for variant in endpoint["variants"]:
            if variant["name"].startswith("forged-") and variant["status"] == "ok":
                assert variant["status_class"] == "4xx"


def test_caps_reached_are_coverage_limits(facts: dict[str, Any]) -> None:
    """50 endpoints tested of more found is a partial observation: exit 3 and a note (issue 24)."""
    limits = {limit["code"]: limit for limit in facts["coverage_limits"]}
    found = facts["discovery"]["endpoints_found"]
    assert limits["auth_endpoints"] == {"code": "auth_endpoints", "limit": MAX_ENDPOINTS, "total": found}


def test_forgery_cap_and_unreachable_endpoints_are_coverage_limits() -> None:
    endpoints = [{"reachable": i % 2 == 0} for i in range(6)]
    facts: dict[str, Any] = {"discovery": {"endpoints_over_limit": 0, "endpoints_found": 6}, "endpoints": endpoints}
    _record_limits(facts, refusing=MAX_FORGERY_TARGETS + 3)
    assert facts["coverage_limits"] == [
        {"code": "auth_forgery_targets", "limit": MAX_FORGERY_TARGETS, "total": MAX_FORGERY_TARGETS + 3},
        {"code": "auth_endpoints_unreachable", "limit": 3, "total": 6}]
    clean: dict[str, Any] = {"discovery": {"endpoints_over_limit": 0}, "endpoints": [{"reachable": True}]}
    _record_limits(clean, refusing=1)
    assert "coverage_limits" not in clean
