"""Shared fixtures: the web portal variants, scanned once per test session."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from fixtures.web import Portal, start_site
from scanner.engine import judge
from scanner.model import Facts, Finding, Target, TargetKind
from scanner.politeness import HostGate, PolitenessPolicy
from scanner.probes.base import ProbeContext
from scanner.probes.http.probe import HttpProbe
from scanner.rules import RuleSet, load_rules
from scanner.runner import observe
from scanner.scope import Scope


def fast_context(scope: Scope | None = None) -> ProbeContext:
    """Local fixtures may be scanned quickly; production defaults stay polite."""
    policy = PolitenessPolicy(per_host_concurrency=4, requests_per_second=1000, timeout_s=5)
    return ProbeContext(gate=HostGate(policy), scope=scope or Scope(patterns=("127.0.0.1",)))


@dataclass
class Scanned:
    portal: Portal
    target: Target
    facts: Facts
    findings: list[Finding]
    ctx: ProbeContext
    errors: list[str] = field(default_factory=list)

    def rule_ids(self) -> set[str]:
        return {f.rule_id for f in self.findings}

    def by_rule(self, rule_id: str) -> list[Finding]:
        return [f for f in self.findings if f.rule_id == rule_id]

    def dump(self) -> str:
        return json.dumps({"facts": self.facts.to_dict(), "findings": [f.to_dict() for f in self.findings]})


@pytest.fixture(scope="session")
def ruleset() -> RuleSet:
    return load_rules()


@pytest.fixture(scope="session")
def scan_variant(ruleset: RuleSet) -> Iterator[Any]:
    """scan_variant(variant, https=...) -> Scanned (cached per session)."""
    cache: dict[tuple[str, bool], Scanned] = {}
    portals: list[Portal] = []

    def run(variant: str, https: bool = True) -> Scanned:
        key = (variant, https)
        if key not in cache:
            portal = start_site(variant, https=https)
            portals.append(portal)
            target = Target(TargetKind.URL, portal.base_url, options=portal.target_options)
            ctx = fast_context()
            facts = observe(HttpProbe(), target, ctx)
            judgement = judge([facts], [target], ruleset)
            cache[key] = Scanned(portal, target, facts, judgement.findings, ctx,
                                 [f"{e.rule_id}: {e.message}" for e in judgement.errors])
        return cache[key]

    yield run
    for portal in portals:
        portal.stop()
