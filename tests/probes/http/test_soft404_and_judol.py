"""Soft-404 safety of exposure templates, and judol cloaking detection."""

from __future__ import annotations

from typing import Any

import pytest

EXPOSURE_RULES = {f"PND-HTTP-{n:03d}" for n in range(16, 25)} | {"PND-HTTP-015"}


@pytest.mark.parametrize("variant", ["spa", "custom404"])
def test_catch_all_200_pages_give_no_exposures(variant: str, scan_variant: Any) -> None:
    scanned = scan_variant(variant, False)
    exposures = scanned.facts.data["exposures"]
    assert exposures["status"] == "ok"
    assert all(b["status"] == 200 for b in exposures["baseline"])
    assert exposures["hits"] == []
    assert exposures["discarded"], "templates matched the catch-all page but were not discarded"
    assert not (scanned.rule_ids() & EXPOSURE_RULES)


def test_cloaked_judol_only_for_googlebot_is_detected(scan_variant: Any) -> None:
    scanned = scan_variant("cloaked", True)
    judol = scanned.facts.data["judol"]
    browser, bot, visitor = judol["views"]
    assert browser["keywords"] == [] and browser["gambling_link_count"] == 0
    assert {"slot gacor", "maxwin"} <= set(bot["keywords"])
    assert bot["title_keywords"]
    assert judol["keywords_only_in_googlebot"]
    assert judol["search_visitor_offsite_redirect"] == "gacor777.example"  # recorded, never contacted
    assert visitor["offsite_redirect"] == "gacor777.example" and visitor["length"] == 0
    assert {"PND-HTTP-026", "PND-HTTP-027"} <= scanned.rule_ids()
    hidden = scanned.by_rule("PND-HTTP-027")[0]
    assert hidden.evidence["views"] == ["googlebot"]
    assert hidden.evidence["technique"] == "off-screen"


def test_vulnerable_defacement_and_hidden_links(scan_variant: Any) -> None:
    judol = scan_variant("vulnerable", True).facts.data["judol"]
    assert {d["signature"] for d in judol["defacement"]} >= {"hacked by"}
    assert judol["hidden_blocks"][0]["technique"] == "display:none"
    assert judol["external_alternates"] == [{"rel": "amphtml", "host": "amp-slot88.example", "external": True,
                                             "views": ["browser", "googlebot", "search-visitor"]}]
    assert judol["keywords_only_in_googlebot"] == []
