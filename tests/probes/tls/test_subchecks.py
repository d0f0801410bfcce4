"""One failing sub-check of the TLS probe is recorded as inconclusive in its own place; the others stay."""

from __future__ import annotations

from typing import Any

import pytest

from scanner.probes.tls.enumerate import Enumerator
from tests.probes.tls.conftest import scan
from tests.probes.tls.servers import Server

VOLATILE = {"connections", "rtt_ms", "timeout_s"}


def _broken(*args: object, **kwargs: object) -> Any:
    raise RuntimeError("sub-check broke")


@pytest.mark.parametrize(("method", "changed"), [
    ("fallback_scsv", {"fallback_scsv"}),
    ("tls12_groups", {"groups", "groups_status"}),
])
def test_one_failing_sub_check_leaves_the_others_facts(
    monkeypatch: pytest.MonkeyPatch, servers: dict[str, Server], scans: dict[str, dict[str, Any]],
    method: str, changed: set[str],
) -> None:
    whole = scans["modern12"]
    monkeypatch.setattr(Enumerator, method, _broken)
    facts = scan(servers["modern12"])
    assert {k: v for k, v in facts.items() if k not in changed | VOLATILE} == \
        {k: v for k, v in whole.items() if k not in changed | VOLATILE}
    record = facts["groups_status"] if method == "tls12_groups" else facts[method]
    assert record["status"] == "inconclusive" and record["reason"] == "RuntimeError: sub-check broke"
    if method == "tls12_groups":
        assert facts["groups"] == []
    else:
        assert record["supported"] is None
