"""The black-box mode against a hostile portal: bounded work, no crash, honest facts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from fixtures.portal.hostile import create_hostile_app
from fixtures.web.server import serve
from scanner.model import Target, TargetKind
from scanner.probes.auth.blackbox import MAX_ENDPOINTS, MAX_FORGERY_TARGETS, REQUEST_BUDGET
from scanner.probes.auth.probe import AuthProbe
from scanner.runner import observe

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
