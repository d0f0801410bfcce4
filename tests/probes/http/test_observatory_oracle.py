"""The header grade agrees with the MDN HTTP Observatory, run as a test oracle on the same local pages.

Pages: every input of the Observatory's own analyzer unit tests that a served page can reproduce
(fixtures/oracles/observatory/cases.json) and composite pages (fixtures.headers.COMPOSITES).
Deliberate differences are listed here and in docs/facts/http.md ("Header grade").
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from fixtures.headers import COMPOSITES, Site, serve, unit_test_cases
from tests.probes.http.observatory_oracle import compare, oracle_available, run_oracle, run_pindai

pytestmark = pytest.mark.skipif(not oracle_available(), reason="node or the Observatory oracle is not installed "
                                                              "(scripts/setup-oracles.sh)")

CASES = unit_test_cases() + COMPOSITES
# case id -> test name: where Pindai differs on purpose (docs/facts/http.md, "Header grade").
DELIBERATE = {
    # A reflected Origin with credentials: the live Observatory never sees the Origin it sent (it reads it
    # from the response's request object), so it never reports universal access; browsers do allow it.
    "u014": "cross-origin-resource-sharing",
}


@pytest.fixture(scope="module")
def graded() -> Iterator[tuple[Site, dict[str, dict[str, Any]]]]:
    with serve(CASES) as site:
        yield site, run_oracle(site, CASES)


def test_enough_pages() -> None:
    assert len(unit_test_cases()) >= 120
    assert len(COMPOSITES) >= 10


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_agrees_with_the_observatory(case: dict[str, Any], graded: tuple[Site, dict[str, dict[str, Any]]]) -> None:
    site, oracle = graded
    diffs = compare(run_pindai(site, case), oracle[case["id"]])
    allowed = DELIBERATE.get(case["id"])
    if allowed:
        assert any(d.startswith(allowed) for d in diffs), f"{case['id']}: the documented difference is gone"
        diffs = [d for d in diffs if not d.startswith((allowed, "score/grade"))]
    assert not diffs, f"{case['id']} ({case['test']}, Observatory unit test expects {case['expected']}): {diffs}"
