"""rules/tls.yaml evaluated on facts observed from real local servers: the expected rules
fire, nothing raises, and inconclusive observations never produce findings."""

from __future__ import annotations

from typing import Any

import pytest

from scanner.judging.engine import judge
from scanner.judging.rules import RuleSet, load_rules
from scanner.model import Facts, Target, TargetKind
from scanner.probes.base import ProbeInconclusive
from tests.probes.tls.conftest import scan
from tests.probes.tls.servers import Server, responder
from tests.probes.tls.test_hostile_and_legacy import _garbage, legacy_handler, run_probe

RULES = load_rules()
TLS_RULES = RuleSet(rules=RULES.for_probe("tls"), regulations=RULES.regulations, version="test")


def fired(facts: dict[str, Any], url: str = "https://127.0.0.1:1/") -> set[str]:
    target = Target(TargetKind.URL, url)
    result = judge([Facts("tls", target.id, facts)], [target], TLS_RULES)
    assert not result.errors, [e.message for e in result.errors]
    return {f.rule_id for f in result.findings}


def test_pack_has_rules() -> None:
    assert len(TLS_RULES.rules) >= 25


@pytest.mark.parametrize(("config", "must", "must_not"), [
    ("legacy",
     {"PND-TLS-002", "PND-TLS-005", "PND-TLS-009", "PND-TLS-025", "PND-TLS-027", "PND-TLS-028", "PND-TLS-029"},
     {"PND-TLS-001", "PND-TLS-003", "PND-TLS-016", "PND-TLS-021", "PND-TLS-024"}),
    ("modern12", {"PND-TLS-004", "PND-TLS-026"},
     {"PND-TLS-002", "PND-TLS-005", "PND-TLS-009", "PND-TLS-025", "PND-TLS-028", "PND-TLS-029"}),
    ("tls13only", set(), {"PND-TLS-004", "PND-TLS-022", "PND-TLS-025", "PND-TLS-026", "PND-TLS-028"}),
])
def test_protocol_configs(scans: dict[str, dict[str, Any]], config: str, must: set[str], must_not: set[str]) -> None:
    ids = fired(scans[config])
    assert must <= ids, must - ids
    assert not ids & must_not, ids & must_not


@pytest.mark.parametrize(("variant", "rule"), [
    ("expired", "PND-TLS-012"), ("expiring", "PND-TLS-013"), ("selfsigned", "PND-TLS-014"),
    ("wronghost", "PND-TLS-015"), ("incomplete", "PND-TLS-017"), ("rsa1024", "PND-TLS-018"),
    ("sha1", "PND-TLS-019"),
])
def test_certificate_variants(servers: dict[str, Server], variant: str, rule: str) -> None:
    assert rule in fired(scan(servers[f"cert-{variant}"]))


def test_good_certificate_fires_no_certificate_rule(scans: dict[str, dict[str, Any]]) -> None:
    cert_rules = {f"PND-TLS-0{n}" for n in range(12, 20)}
    assert not fired(scans["default"]) & cert_rules


def test_legacy_raw_server() -> None:
    with responder(legacy_handler(heartbleed=True)) as srv:
        facts = run_probe(srv.port, tls_timeout=1.0)
    ids = fired(facts)
    assert {"PND-TLS-001", "PND-TLS-003", "PND-TLS-006", "PND-TLS-007", "PND-TLS-008", "PND-TLS-010",
            "PND-TLS-021", "PND-TLS-022", "PND-TLS-023", "PND-TLS-024", "PND-TLS-029"} <= ids


def test_garbage_peer_gives_no_facts_to_judge() -> None:
    with responder(_garbage) as srv, pytest.raises(ProbeInconclusive):
        run_probe(srv.port, tls_timeout=0.3)
