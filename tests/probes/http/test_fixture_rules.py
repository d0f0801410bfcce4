"""Every http rule fires on a vulnerable portal variant and stays silent on the clean one.

The portal (fixtures/web) runs on 127.0.0.1; scans use the real probe, engine and rules.
"""

from __future__ import annotations

from typing import Any

import pytest

from scanner.judging.rules import RuleSet, load_rules

# rule id -> (variant that must fire it, https?)
FIRES: dict[str, tuple[str, bool]] = {f"PND-HTTP-{n:03d}": ("vulnerable", True)
                                      for n in [*range(1, 33), *range(40, 45), 46, 47]}
FIRES["PND-HTTP-026"] = ("cloaked", True)  # cloaking only exists on the cloaked variant
FIRES["PND-HTTP-044"] = ("spa", True)  # the single-page app's policy allows inline script and eval

# Where a rule must stay silent, beyond the clean site.
ALSO_SILENT: dict[str, list[tuple[str, bool]]] = {
    "PND-HTTP-025": [("cloaked", True)],  # browsers see no gambling content there
    "PND-HTTP-002": [("vulnerable", False)],  # plain HTTP target: HSTS does not apply
    "PND-HTTP-009": [("vulnerable", False)],  # cookies over HTTP: PND-HTTP-012 instead
}

HTTP_RULES = [r.id for r in load_rules().for_probe("http")]


def test_every_http_rule_has_a_fixture_case() -> None:
    assert sorted(HTTP_RULES) == sorted(FIRES), "add new http rules to FIRES (and the fixture)"


@pytest.mark.parametrize("rule_id", HTTP_RULES)
def test_rule_fires_on_vulnerable_variant(rule_id: str, scan_variant: Any) -> None:
    variant, https = FIRES[rule_id]
    scanned = scan_variant(variant, https)
    assert scanned.facts.status == "ok", scanned.facts.reason
    assert not scanned.errors
    assert scanned.by_rule(rule_id), f"{rule_id} did not fire on {variant}; fired: {sorted(scanned.rule_ids())}"


@pytest.mark.parametrize("rule_id", HTTP_RULES)
def test_rule_silent_on_clean_variant(rule_id: str, scan_variant: Any) -> None:
    for variant, https in [("clean", True), *ALSO_SILENT.get(rule_id, [])]:
        scanned = scan_variant(variant, https)
        assert scanned.facts.status == "ok", scanned.facts.reason
        assert not scanned.errors
        assert not scanned.by_rule(rule_id), f"{rule_id} fired on {variant}: {scanned.by_rule(rule_id)[0].message}"


def test_clean_https_site_has_no_http_findings_and_a_good_grade(scan_variant: Any) -> None:
    scanned = scan_variant("clean", True)
    assert [f.rule_id for f in scanned.findings] == []
    assert scanned.facts.data["observatory"]["grade"] in ("A+", "A")
    assert scanned.facts.data["tls_verified"] is True


def test_judol_on_an_inner_page_is_reported_for_that_page_only(scan_variant: Any) -> None:
    cloaked = scan_variant("cloaked", True)
    (finding,) = cloaked.by_rule("PND-HTTP-032")
    assert finding.item_key == "/berita"  # the home page's cloaking is PND-HTTP-026, not repeated here
    assert "slot gacor" in finding.evidence["cloaked_keywords"] and finding.evidence["hidden_gambling_blocks"] == 1
    vulnerable = scan_variant("vulnerable", True)
    assert [f.item_key for f in vulnerable.by_rule("PND-HTTP-032")] == ["/berita"]


def test_vulnerable_item_level_precision(scan_variant: Any) -> None:
    scanned = scan_variant("vulnerable", True)
    cache = {f.item_key for f in scanned.by_rule("PND-HTTP-031")}
    assert cache == {"/penduduk"}  # /pengumuman sends no-store
    assert {f.item_key for f in scanned.by_rule("PND-HTTP-030")} == {"/penduduk", "/pengumuman"}
    assert {f.item_key for f in scanned.by_rule("PND-HTTP-017")} == {"/.env", "/config.php.bak"}
    assert {f.item_key for f in scanned.by_rule("PND-HTTP-019")} == {"/backup.sql", "/www.zip",
                                                                     "/storage/logs/laravel.log"}
    assert {f.item_key for f in scanned.by_rule("PND-HTTP-012")} == {"laravel_session"}
    assert {f.item_key for f in scanned.by_rule("PND-HTTP-040")} == {"php 7.4", "wordpress 5.2"}
    assert {f.item_key for f in scanned.by_rule("PND-HTTP-041")} == {"jquery 1"}  # Apache 2.4 is supported
    versions = {(i["product"], i["version"]): i for i in scanned.facts.data["software"]["items"]}
    assert versions["wp-plugin:contact-form-7", "5.1.1"]["eol"] is None  # a fact, no EOL data
    assert {"file:/readme.html", "meta-generator:meta generator"} <= set(versions["wordpress", "5.2.4"]["seen_at"])
    assert scanned.facts.data["software"]["frameworks"] == [{"framework": "laravel",
                                                             "evidence": "cookie laravel_session"}]
    fingerprints = [f.fingerprint for f in scanned.findings]
    assert len(fingerprints) == len(set(fingerprints)), "duplicate findings"


def test_http_pack_size(ruleset: RuleSet) -> None:
    assert len(ruleset.for_probe("http")) == 39
