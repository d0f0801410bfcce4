"""The scheduler never loses results: failing probes become inconclusive observations."""

from __future__ import annotations

import json
from typing import Any

from scanner.model import Target, TargetKind
from scanner.probes.base import ProbeContext, ProbeInconclusive
from scanner.running.runner import run_probes
from scanner.running.scope import Scope


class _Probe:
    name = "tls"

    def applies_to(self, target: Target) -> bool:
        return target.kind is TargetKind.URL

    def run(self, target: Target, ctx: ProbeContext) -> dict[str, Any]:
        if "crash" in target.location:
            raise RuntimeError("parser blew up")
        if "refused" in target.location:
            raise ProbeInconclusive("connection refused by 127.0.0.2:1")
        with ctx.gate.slot(target.host):
            return {"host": target.host}


def _url(name: str) -> Target:
    return Target(TargetKind.URL, f"https://{name}.contoh.go.id/")


def test_failures_are_inconclusive_and_other_targets_survive():
    targets = [_url("ok1"), _url("crash"), _url("refused"), _url("ok2"), Target(TargetKind.SOURCE, "src")]
    facts = run_probes(targets, [_Probe()], ProbeContext())
    by_target = {f.target_id: f for f in facts}
    assert [f.target_id for f in facts] == [t.id for t in targets]
    assert by_target[targets[0].id].data == {"host": "ok1.contoh.go.id"} and by_target[targets[0].id].conclusive
    assert by_target[targets[1].id].reason == "internal probe error: RuntimeError: parser blew up"
    assert by_target[targets[2].id].reason == "connection refused by 127.0.0.2:1"
    assert by_target[targets[3].id].conclusive
    assert by_target["src"].probe == "none" and by_target["src"].status == "inconclusive"


def test_out_of_scope_target_is_never_probed():
    seen: list[str] = []

    class Recording(_Probe):
        def run(self, target: Target, ctx: ProbeContext) -> dict[str, Any]:
            seen.append(target.host)
            return {}

    ctx = ProbeContext(scope=Scope(("*.contoh.go.id",)))
    facts = run_probes([_url("ok"), Target(TargetKind.URL, "https://example.com/")], [Recording()], ctx)
    assert seen == ["ok.contoh.go.id"]
    assert facts[1].reason == "host example.com is outside the scan scope"


class _SurrogateProbe(_Probe):
    def run(self, target: Target, ctx: ProbeContext) -> dict[str, Any]:
        return {"claims\ud800": ["\udfffx", ("a\ud800",), {"k": "v\udc00"}], "n": 1, "big": [10**400, -(10**400)]}


def test_facts_are_made_utf8_encodable_where_they_are_made():
    [facts] = run_probes([_url("ok")], [_SurrogateProbe()], ProbeContext())
    assert facts.data == {"claims\ufffd": ["\ufffdx", ("a\ufffd",), {"k": "v\ufffd"}], "n": 1,
                          "big": [2**63 - 1, -(2**63)]}  # CEL's int range: judging cannot fail on them
    json.dumps(facts.to_dict(), ensure_ascii=False).encode("utf-8")  # would raise on a lone surrogate
