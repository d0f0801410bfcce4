"""No raw personal data in facts or findings; every request goes through the politeness gate."""

from __future__ import annotations

from typing import Any

from fixtures.synthetic import CANARY_KK, CANARY_NIK
from fixtures.web.app import residents


def test_no_unmasked_identity_numbers_in_facts_or_findings(scan_variant: Any) -> None:
    scanned = scan_variant("vulnerable", True)
    text = scanned.dump()
    raw_values = {CANARY_NIK, CANARY_KK} | {r[k] for r in residents() for k in ("nik", "kk", "hp")}
    leaked = sorted(v for v in raw_values if v in text)
    assert not leaked, f"unmasked personal data in facts/findings: {len(leaked)} value(s)"
    pages = {p["path"]: p for p in scanned.facts.data["personal_data"]["pages"]}
    assert pages["/penduduk"]["identity_count"] >= 5
    assert all("*" in s["masked"] for s in pages["/penduduk"]["samples"])


def test_every_request_went_through_the_gate(scan_variant: Any) -> None:
    for variant in ("vulnerable", "clean", "cloaked"):  # cloaked redirects search visitors off-site
        scanned = scan_variant(variant, True)
        assert sum(scanned.ctx.gate.connections.values()) == scanned.facts.data["requests"]
        assert {key.rsplit(":", 1)[0] for key in scanned.ctx.gate.connections} == {"127.0.0.1"}  # per service


def test_scoring_table_version_is_recorded(scan_variant: Any) -> None:
    data = scan_variant("vulnerable", True).facts.data
    assert data["observatory"]["scoring_version"] == "pindai-observatory-2"
    assert data["observatory"]["grade"] == "F"
    assert data["exposures"]["templates_version"]
    assert data["judol"]["keywords_version"]
