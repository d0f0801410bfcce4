"""End to end: the real fixture API, the auth probe, the shipped rules and the JSON report."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from fixtures.api import WEAK_SECRET, personal_values, residents
from fixtures.synthetic import CANARY
from scanner.model import ScanResult
from scanner.probes.auth.probe import AuthProbe
from scanner.report import renderer
from scanner.running.scan import new_scan, scan

from .conftest import Api, context, shipped_rules, targets

EXPECTED = {
    "rs": {
        ("PND-AUTH-001", "GET /api/public/penduduk"),
        ("PND-AUTH-002", "GET /api/public/penduduk"),
        ("PND-AUTH-003", "GET /api/legacy/keluarga"),
        ("PND-AUTH-003", "GET /api/legacy/pengaduan"),
        ("PND-AUTH-004", "GET /api/legacy/pengaduan"),
        ("PND-AUTH-010", "GET /api/v2/keluarga"),
    },
    "strong": set(),
    "mobile": {
        ("PND-AUTH-005", "GET /mobile/api/profil"),
        ("PND-AUTH-006", "profile:bearer"),
        ("PND-AUTH-007", "profile:bearer"),
        ("PND-AUTH-009", "profile:bearer"),
    },
    "login": {
        ("PND-AUTH-008", "profile:login"),
        ("PND-AUTH-011", "/login"),
        ("PND-AUTH-012", "/login"),
        ("PND-AUTH-013", "/login"),
    },
    "openapi": {
        ("PND-AUTH-001", "GET /api/public/penduduk"),
        ("PND-AUTH-002", "GET /api/public/penduduk"),
        ("PND-AUTH-003", "GET /api/legacy/keluarga"),
        ("PND-AUTH-010", "GET /api/v2/keluarga"),
    },
}
PROTECTED = ("/api/v1/penduduk", "/api/v1/dokumen", "/portal/api/dasbor", "/api/v1/wilayah", "/api/public/statistik")


@pytest.fixture(scope="module")
def result(api: Api) -> Iterator[ScanResult]:
    ruleset = shipped_rules()
    yield scan(new_scan(list(targets(api).values()), ruleset), [AuthProbe()], ruleset, context())


def test_every_target_observed(result: ScanResult) -> None:
    assert [f.reason for f in result.facts if not f.conclusive] == []
    assert not result.evaluation_errors


def test_findings_exactly_on_weak_endpoints(api: Api, result: ScanResult) -> None:
    scenario = targets(api)
    for name, expected in EXPECTED.items():
        got = {(f.rule_id, f.item_key) for f in result.findings if f.target_id == scenario[name].id}
        assert got == expected, name


def test_no_finding_on_protected_endpoints(result: ScanResult) -> None:
    assert not [f for f in result.findings if f.item_key.endswith(PROTECTED)]


def test_openapi_discovery(api: Api, result: ScanResult) -> None:
    facts = next(f for f in result.facts if f.target_id == targets(api)["openapi"].id).data
    assert facts["discovery"]["status"] == "ok"
    keys = {e["key"]: e for e in facts["endpoints"]}
    assert "GET /api/v1/wilayah/317101" in keys  # path parameter filled from its example
    assert keys["GET /api/public/statistik"]["declared_public"] is True
    assert facts["discovery"]["skipped"] == [{"path": "/api/v1/penduduk/{id}",
                                              "reason": "path parameter without an example value"}]


def test_variant_evidence(api: Api, result: ScanResult) -> None:
    facts = next(f for f in result.facts if f.target_id == targets(api)["rs"].id).data
    legacy = next(e for e in facts["endpoints"] if e["path"] == "/api/legacy/keluarga")
    casings = [v["alg"] for v in legacy["variants"] if v["name"] == "alg-none"]
    assert casings == ["none", "None", "NONE", "nOnE"]
    expired = next(v for v in legacy["variants"] if v["name"] == "expired-token")
    assert expired["status"] == "skipped" and "key" in expired["reason"]
    strict = next(e for e in facts["endpoints"] if e["path"] == "/api/v1/penduduk")
    assert strict["authenticated"]["marker"] == "present"
    assert all(v["http_status"] == 401 for v in strict["variants"] if v["status"] == "ok")


def test_tokens_seen_in_login_replies_are_analysed(api: Api, result: ScanResult) -> None:
    facts = next(f for f in result.facts if f.target_id == targets(api)["login"].id).data
    sources = {t["source"]: t for t in facts["tokens"]}
    assert set(sources) == {"profile:login", "login:/login"}
    assert sources["login:/login"]["lifetime_s"] == 7200 and not sources["login:/login"]["secret_search"]["found"]


def test_pii_finding_is_masked_with_kinds(result: ScanResult) -> None:
    finding = next(f for f in result.findings if f.rule_id == "PND-AUTH-002")
    data = finding.evidence["personal_data"]
    assert set(data["kinds"]) >= {"nik", "phone", "email"}
    assert all("*" in example["masked"] for example in data["examples"])
    assert finding.sensitivity == "general"
    assert finding.severity.value == "critical"


def test_weak_secret_never_stored(api: Api, result: ScanResult) -> None:
    facts = next(f for f in result.facts if f.target_id == targets(api)["mobile"].id).data
    search = facts["tokens"][0]["secret_search"]
    assert search["found"] is True and search["secret_length"] == len(WEAK_SECRET)
    assert WEAK_SECRET not in json.dumps(result.to_dict())


def test_no_personal_value_or_credential_in_any_output(api: Api, result: ScanResult) -> None:
    outputs = {
        "facts": json.dumps([f.to_dict() for f in result.facts], ensure_ascii=False),
        "findings": json.dumps([f.to_dict() for f in result.findings], ensure_ascii=False),
        "report": renderer("json")(result, shipped_rules(), "id"),
    }
    raw = set(personal_values(residents())) | set(CANARY.values()) | set(api.secrets.values()) | {WEAK_SECRET}
    for name, text in outputs.items():
        leaked = sorted(v for v in raw if v in text)
        assert not leaked, f"{name} leaks {len(leaked)} raw value(s)"
