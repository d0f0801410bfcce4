"""The engine turns facts into findings: items, keys, fingerprints, priority, masking."""

from __future__ import annotations

import json

from scanner.judging.engine import judge
from scanner.judging.rules import load_rules
from scanner.model import Exposure, Facts, ScanResult, Target, TargetKind
from scanner.running.scan import judged
from tests.support import RULE

PORTAL = Target(TargetKind.URL, "https://Portal.Contoh.go.id:443/", agency="Diskominfo", exposure=Exposure.INTERNET)
TLS_FACTS = {"protocols": [{"name": "SSLv3", "accepted": True}, {"name": "TLSv1.0", "accepted": True},
                           {"name": "TLSv1.2", "accepted": True}, {"name": "TLSv1.1", "accepted": False}]}


def _ruleset(write_pack, regulations, *rules):
    return load_rules(write_pack(*rules), regulations)


def test_each_offending_item_becomes_a_finding(write_pack, regulations):
    ruleset = _ruleset(write_pack, regulations, RULE)
    judgement = judge([Facts("tls", PORTAL.id, TLS_FACTS)], [PORTAL], ruleset)
    assert sorted(f.item_key for f in judgement.findings) == ["SSLv3", "TLSv1.0"]
    finding = judgement.findings[0]
    assert finding.message["en"] == f"Protocol {finding.item_key} is accepted"
    assert finding.message["id"] == f"Protokol {finding.item_key} diterima"
    assert finding.agency == "Diskominfo"
    assert finding.references == ["test-law:1"]
    assert finding.evidence["name"] == finding.item_key
    assert judgement.evaluated_rules == {"PND-TEST-001"}


def test_fingerprints_are_stable_across_runs_and_spellings(write_pack, regulations):
    ruleset = _ruleset(write_pack, regulations, RULE)
    first = judge([Facts("tls", PORTAL.id, TLS_FACTS)], [PORTAL], ruleset).findings
    other_spelling = Target(TargetKind.URL, "https://portal.contoh.go.id/", exposure=Exposure.INTERNET)
    reordered = {"protocols": list(reversed(TLS_FACTS["protocols"]))}
    second = judge([Facts("tls", other_spelling.id, reordered)], [other_spelling], ruleset).findings
    assert {f.fingerprint for f in first} == {f.fingerprint for f in second}
    assert len({f.fingerprint for f in first}) == 2
    assert all(len(f.fingerprint) == 32 for f in first)
    assert other_spelling.id == PORTAL.id == "https://portal.contoh.go.id/"


def test_bool_rule_gives_one_target_level_finding(write_pack, regulations):
    rule = RULE.replace('when: facts.protocols.filter(p, p.accepted && p.name in ["SSLv3", "TLSv1.0"])',
                        'when: \'!facts.protocols.exists(p, p.accepted && p.name == "TLSv1.3")\'').replace(
        "item_key: item.name\n", "").replace("{{ item.name }}", "TLSv1.3")
    ruleset = _ruleset(write_pack, regulations, rule)
    findings = judge([Facts("tls", PORTAL.id, TLS_FACTS)], [PORTAL], ruleset).findings
    assert [(f.item_key, f.evidence) for f in findings] == [("", {})]
    modern = {"protocols": [{"name": "TLSv1.3", "accepted": True}]}
    assert judge([Facts("tls", PORTAL.id, modern)], [PORTAL], ruleset).findings == []


def test_missing_fact_field_is_an_evaluation_error_not_a_crash(write_pack, regulations):
    ruleset = _ruleset(write_pack, regulations, RULE)
    judgement = judge([Facts("tls", PORTAL.id, {"certificate": {}})], [PORTAL], ruleset)
    assert judgement.findings == []
    assert [e.rule_id for e in judgement.errors] == ["PND-TEST-001"]
    assert "protocols" in judgement.errors[0].message


def test_inconclusive_facts_and_other_probes_are_not_judged(write_pack, regulations):
    ruleset = _ruleset(write_pack, regulations, RULE)
    facts = [Facts("tls", PORTAL.id, TLS_FACTS, status="inconclusive", reason="timeout"),
             Facts("http", PORTAL.id, TLS_FACTS)]
    assert judge(facts, [PORTAL], ruleset).findings == []


def test_priority_weighs_exposure_sensitivity_and_confidence(write_pack, regulations):
    rule = RULE + "sensitivity: general\n"
    ruleset = _ruleset(write_pack, regulations, rule)
    internal = Target(TargetKind.URL, "https://intra.contoh.go.id/", exposure=Exposure.INTERNAL)
    facts = {"protocols": [{"name": "SSLv3", "accepted": True, "sensitivity": "specific", "confidence": "low"},
                           {"name": "TLSv1.0", "accepted": True}]}
    found = {f.target_id + f.item_key: f for f in judge(
        [Facts("tls", PORTAL.id, facts), Facts("tls", internal.id, facts)], [PORTAL, internal], ruleset).findings}
    assert found[PORTAL.id + "SSLv3"].priority == 100 * 0.75 * 1.0 * 1.0 * 0.5
    assert found[PORTAL.id + "TLSv1.0"].priority == 100 * 0.75 * 1.0 * 0.8 * 1.0
    assert found[internal.id + "TLSv1.0"].priority == 42.0  # 100 * 0.75 * 0.7 * 0.8
    assert found[PORTAL.id + "SSLv3"].sensitivity == "specific"


def test_personal_data_in_evidence_and_messages_is_masked(write_pack, regulations):
    rule = RULE.replace("item.name in", "item.name in").replace(
        'p.name in ["SSLv3", "TLSv1.0"]', 'p.name == "leak"').replace("item_key: item.name", "item_key: item.value")
    rule = rule.replace("Protokol {{ item.name }} diterima", "NIK {{ item.value }} terbuka")
    ruleset = _ruleset(write_pack, regulations, rule)
    nik = "3201014509900001"
    facts = {"protocols": [{"name": "leak", "accepted": True, "value": nik}]}
    findings = judge([Facts("tls", PORTAL.id, facts)], [PORTAL], ruleset).findings
    dumped = json.dumps([f.to_dict() for f in findings])
    assert nik not in dumped
    assert "3201********0001" in dumped


def test_result_round_trips_through_json_and_rejudges(write_pack, regulations):
    ruleset = _ruleset(write_pack, regulations, RULE)
    result = ScanResult("s1", "t0", "t1", "0.1.0", "v", [PORTAL], [Facts("tls", PORTAL.id, TLS_FACTS)])
    result = judged(result, ruleset)
    loaded = ScanResult.from_dict(json.loads(json.dumps(result.to_dict())))
    assert [f.to_dict() for f in loaded.findings] == [f.to_dict() for f in result.findings]
    assert loaded.targets[0].agency == "Diskominfo"
    stricter = _ruleset(write_pack, regulations, RULE.replace('"SSLv3", "TLSv1.0"', '"SSLv3", "TLSv1.0", "TLSv1.2"'))
    assert len(judged(loaded, stricter).findings) == 3


def test_a_rule_that_raises_is_an_evaluation_error_and_other_rules_still_judge(write_pack, regulations):
    dividing = RULE.replace("PND-TEST-001", "PND-TEST-002").replace(
        'facts.protocols.filter(p, p.accepted && p.name in ["SSLv3", "TLSv1.0"])',
        "facts.protocols.filter(p, 1 / 0 == 1)")
    broken_message = RULE.replace("PND-TEST-001", "PND-TEST-003").replace(
        "Protokol {{ item.name }} diterima", "{{ [].pop() }}")
    ruleset = _ruleset(write_pack, regulations, RULE, dividing, broken_message)
    judgement = judge([Facts("tls", PORTAL.id, TLS_FACTS)], [PORTAL], ruleset)
    assert sorted(f.item_key for f in judgement.findings) == ["SSLv3", "TLSv1.0"]
    assert {f.rule_id for f in judgement.findings} == {"PND-TEST-001"}
    assert sorted(e.rule_id for e in judgement.errors) == ["PND-TEST-002", "PND-TEST-003"]
