"""Shared fixtures: the web portal variants, scanned once per test session."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from fixtures.web import Portal, start_site
from scanner.judging.engine import judge
from scanner.judging.rules import RuleSet, load_rules
from scanner.model import Facts, Finding, Target, TargetKind
from scanner.probes.base import ProbeContext
from scanner.probes.http.probe import HttpProbe
from scanner.running.politeness import HostGate, PolitenessPolicy
from scanner.running.runner import observe
from scanner.running.scope import Scope


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


def private_dir(name: str) -> Path:
    """A work folder for real servers that outlives other pytest sessions' clean-up of old
    ``tmp_path`` folders (a server whose document root vanishes mid-scan answers 403)."""
    return Path(tempfile.mkdtemp(prefix=f"pindai-{name}-"))


@dataclass
class RealScan:
    """One scan of a real-software fixture: the facts, the findings and what was running."""

    software: str
    version: str
    facts: dict[str, Any]
    findings: list[Finding]

    def rule_ids(self) -> set[str]:
        return {f.rule_id for f in self.findings}

    def debug_frameworks(self) -> set[str]:
        return {h["framework"] for h in self.facts.get("debug", {}).get("hits", [])}

    def exposure_ids(self) -> set[str]:
        return {h["id"] for h in self.facts.get("exposures", {}).get("hits", [])}


@pytest.fixture(scope="session")
def scan_real(ruleset: RuleSet) -> Iterator[Any]:
    """scan_real(name, start) -> RealScan: start real software once per session, scan it, stop it."""
    cache: dict[str, RealScan] = {}
    workdir = private_dir("realweb")

    def run(name: str, start: Any, options: dict[str, Any] | None = None) -> RealScan:
        if name not in cache:
            try:
                server = start(workdir)
            except RuntimeError as exc:
                pytest.skip(f"{name}: {exc}")
            try:
                target = Target(TargetKind.URL, server.base_url, options=options or {})
                facts = observe(HttpProbe(), target, fast_context())
                judgement = judge([facts], [target], ruleset)
            finally:
                server.stop()
            assert facts.conclusive, facts.reason
            assert not judgement.errors, judgement.errors
            cache[name] = RealScan(name, server.notes.get("version", ""), facts.data,
                                   judgement.findings)
        return cache[name]

    yield run
    shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def wordpress_scans(ruleset: RuleSet) -> Iterator[dict[str, RealScan]]:
    """The real Debian WordPress (Apache + mod_php + MariaDB), installed and scanned once per session:
    ``{"weak": RealScan, "hardened": RealScan}``."""
    from fixtures.realweb.wordpress import start_wordpress, wordpress_available

    if not wordpress_available():
        pytest.skip("wordpress/apache2/libapache2-mod-php/mariadb not installed (scripts/install-system-deps.sh)")
    workdir = private_dir("wordpress")
    site = start_wordpress(workdir)
    scans: dict[str, RealScan] = {}
    try:
        for name, url in (("weak", site.weak_url), ("hardened", site.hardened_url)):
            target = Target(TargetKind.URL, url)
            facts = observe(HttpProbe(), target, fast_context())
            assert facts.conclusive, facts.reason
            judgement = judge([facts], [target], ruleset)
            assert not judgement.errors, judgement.errors
            scans[name] = RealScan(f"wordpress-{name}", site.version, facts.data, judgement.findings)
    finally:
        site.stop()
    yield scans
    shutil.rmtree(workdir, ignore_errors=True)
