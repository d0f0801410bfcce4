"""The real Debian WordPress package (6.1.x) on Apache httpd + mod_php + MariaDB, weak and hardened
(fixtures/realweb/wordpress.py): WordPress exposures, version facts and end-of-life rules."""

from __future__ import annotations

from typing import Any

import pytest

WEAK_RULES = {
    "PND-HTTP-042": "REST users route and /?author=1 reveal login names",
    "PND-HTTP-043": "xmlrpc.php answers",
    "PND-HTTP-016": "wp-content/uploads/ listing",
    "PND-HTTP-017": "wp-config.php.bak downloadable",
    "PND-HTTP-019": "wp-content/debug.log downloadable",
}


@pytest.mark.parametrize("rule_id", sorted(WEAK_RULES))
def test_weak_wordpress_raises(wordpress_scans: dict[str, Any], rule_id: str) -> None:
    assert rule_id in wordpress_scans["weak"].rule_ids(), WEAK_RULES[rule_id]


@pytest.mark.parametrize("rule_id", sorted(WEAK_RULES))
def test_hardened_wordpress_raises_nothing(wordpress_scans: dict[str, Any], rule_id: str) -> None:
    assert rule_id not in wordpress_scans["hardened"].rule_ids(), WEAK_RULES[rule_id]


def test_user_enumeration_evidence_is_masked(wordpress_scans: dict[str, Any]) -> None:
    scan = wordpress_scans["weak"]
    hits = [h for h in scan.facts["exposures"]["hits"] if h["category"] == "user-enumeration"]
    assert {h["id"] for h in hits} >= {"wp-rest-users", "wp-author-archive"}
    for hit in hits:
        assert hit["accounts"] >= 1 and hit["examples"]
    dump = repr(scan.facts) + repr([f.to_dict() for f in scan.findings])
    for secret in ("admin-kab", "Budi Santoso"):
        where = dump.find(secret)
        assert where < 0, dump[max(0, where - 300): where + 100]


def test_wordpress_version_is_seen_from_several_places(wordpress_scans: dict[str, Any]) -> None:
    items = wordpress_scans["weak"].facts["software"]["items"]
    wordpress = next(i for i in items if i["product"] == "wordpress")
    assert wordpress["version"].startswith("6.1")
    sources = {s.split(":")[0] for s in wordpress["seen_at"]}
    assert {"meta-generator", "asset-url", "feed"} <= sources
    assert wordpress["confidence"] == "high"
    assert wordpress["eol"]["status"] == "ended" and wordpress["eol"]["cycle"] == "6.1"


def test_wordpress_6_1_is_reported_as_long_past_end_of_support(wordpress_scans: dict[str, Any]) -> None:
    findings = [f for f in wordpress_scans["weak"].findings if f.rule_id == "PND-HTTP-040"]
    wordpress = [f for f in findings if f.evidence["product"] == "wordpress"]
    assert wordpress, [f.message["en"] for f in findings]
    assert "6.1" in wordpress[0].message["en"] and "EOL table retrieved" in wordpress[0].message["en"]


def test_hardened_wordpress_version_comes_only_from_weak_signals(wordpress_scans: dict[str, Any]) -> None:
    """No generator, no readme.html: only ``?ver=`` on core assets and the feed are left, so the
    end-of-life finding remains (the version is really 6.1) but with lower confidence."""
    items = wordpress_scans["hardened"].facts["software"]["items"]
    wordpress = next(i for i in items if i["product"] == "wordpress")
    assert not any(s.startswith(("meta-generator", "file:/readme.html")) for s in wordpress["seen_at"])
    assert wordpress["confidence"] in ("low", "medium")
