"""The control checklist catalogue (K1-K72): complete, in order, with its source; rules declare valid K ids."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from scanner.judging.controls import ControlCatalogueError, load_controls, shipped_controls
from scanner.judging.rules import RuleValidationError, load_rules
from scanner.resources import rules_dir

RULE = """\
id: PND-TEST-201
probe: http
severity: low
title: {{id: "Uji", en: "Test"}}
description: {{id: "Uji.", en: "Test."}}
when: "false"
message: {{id: "Uji", en: "Test"}}
remediation: {{id: ["Perbaiki."], en: ["Fix."]}}
references: ["owasp-asvs-4.0.3:14.4.4"]
controls: {controls}
"""


def test_catalogue_has_72_controls_with_ids_and_source() -> None:
    catalogue = shipped_controls()
    assert list(catalogue.controls) == [f"K{n}" for n in range(1, 73)]
    assert len(catalogue.functions) == 13
    k43 = catalogue.controls["K43"]
    assert k43.article == "27(8)(a)" and k43.asvs == ("9.1.1",) and k43.cwe == ("CWE-319",)
    assert catalogue.controls["K1"].wstg == ("WSTG-ATHN-02",)
    assert catalogue.function_of(catalogue.controls["K62"]).ayat == 12
    source = catalogue.source
    assert source["status"] == "secondary" and source["pages"] == "58\u201375"
    assert source["title"].startswith("Standar Teknis dan Prosedur Keamanan Aplikasi Berbasis Web")
    assert {"issuer", "year", "note"} <= set(source)


def test_every_control_article_exists_at_ayat_level_in_the_regulation_catalogue() -> None:
    rules = load_rules()
    for control in shipped_controls().controls.values():
        assert rules.regulations.resolve(f"bssn-4-2021:27({control.ayat})") is not None


def test_a_broken_catalogue_is_refused(tmp_path: Path) -> None:
    text = (rules_dir() / "regulations" / "controls" / "bssn-web-k72.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "k.yaml"
    broken.write_text(text.replace("  - id: K5\n", "  - id: K50\n", 1), encoding="utf-8")
    with pytest.raises(ControlCatalogueError, match=r"K1\.\.K72 in order"):
        load_controls(broken)


# Web rules that declare no control on purpose (docs/controls-review.md, reviewed 2026-12-06): summaries
# of observations other rules already map (TLS-028, TLS-029), a comparison with an optional profile
# (TLS-026), a hint (AUTH-013), and the cookie-attribute rules that fire on every cookie, not only
# session ids (HTTP-009 Secure, HTTP-011 SameSite; references aligned on 2026-12-06). Mapping them would
# show a control as a finding on evidence that does not bear on it.
NO_CONTROL_WEB_RULES = {"PND-AUTH-013", "PND-HTTP-009", "PND-HTTP-011", "PND-TLS-026", "PND-TLS-028", "PND-TLS-029"}


def test_every_shipped_rule_declares_known_controls() -> None:
    rules = load_rules()
    known = set(shipped_controls().controls)
    declared = [c for rule in rules.rules for c in rule.spec.controls]
    assert declared and set(declared) <= known
    web = [r for r in rules.rules if r.probe in ("tls", "http", "auth")]
    assert {r.id for r in web if not r.spec.controls} == NO_CONTROL_WEB_RULES


@pytest.mark.parametrize(("controls", "message"), [("[K73]", "unknown control 'K73'"),
                                                    ("[K1, K1]", "listed twice"),
                                                    ("[A.8.24]", "unknown control")])
def test_validate_rejects_bad_control_ids(write_pack: Any, controls: str, message: str) -> None:
    with pytest.raises(RuleValidationError) as info:
        load_rules(write_pack(RULE.format(controls=controls)))
    assert any(e.field == "controls" and message in e.message for e in info.value.errors)


def test_validate_accepts_known_control_ids(write_pack: Any) -> None:
    rules = load_rules(write_pack(RULE.format(controls="[K72, K70]")))
    assert rules.rules[0].spec.controls == ["K72", "K70"]


def test_docs_table_names_the_rules_that_test_each_control() -> None:
    """docs/regulations.md lists, per control, exactly the shipped rules that declare it."""
    import re

    rules = load_rules()
    declared: dict[str, set[str]] = {}
    for rule in rules.rules:
        for control in rule.spec.controls:
            declared.setdefault(control, set()).add(rule.id)
    doc = (Path(__file__).parents[2] / "docs" / "regulations.md").read_text(encoding="utf-8")
    rows = {m.group(1): set(re.findall(r"`([A-Z]+-[A-Z]+-\d{3})`", m.group(2)))
            for m in re.finditer(r"^\| (K\d+) \|(.*)$", doc, re.MULTILINE)}
    assert list(rows) == [f"K{n}" for n in range(1, 73)]
    assert {k: v for k, v in rows.items() if v} == declared


def test_controls_review_lists_every_rule_with_its_declared_controls() -> None:
    """docs/controls-review.md (the rule-by-rule review of 2026-12-06) matches the shipped `controls:`."""
    import re

    doc = (Path(__file__).parents[2] / "docs" / "controls-review.md").read_text(encoding="utf-8")
    reviewed = {m.group(1): [] if m.group(2).strip() == "—" else [c.strip() for c in m.group(2).split(",")]
                for m in re.finditer(r"^\| `(PND-[A-Z]+-\d{3})` \| ([^|]*) \|", doc, re.MULTILINE)}
    assert reviewed == {rule.id: list(rule.spec.controls) for rule in load_rules().rules}


# Summaries of the whole communication-security function (TLS-028 names "Pasal 27(8)" in its message).
AYAT_SUMMARIES = {"PND-TLS-028": "27(8)", "PND-TLS-029": "27(8)"}


def test_bssn_article_references_follow_the_declared_controls() -> None:
    """A rule cites exactly the Pasal 27 letters of its controls (docs/controls-review.md, "References
    aligned", 2026-12-06) and no other Pasal 27 article. Every declared control's letter is in the
    regulation catalogue: the ayat no longer stands in for a letter (27(4)(e)/(f)/(h), 27(9)(b)/(c) and
    27(10)(d) were catalogued on 2026-12-06)."""
    rules = load_rules()
    catalogue = shipped_controls()
    prefix = f"{catalogue.regulation}:"
    for rule in rules.rules:
        cited = {r.removeprefix(prefix) for r in rule.spec.references if r.startswith(prefix + "27(")}
        required: set[str] = set()
        allowed: set[str] = {AYAT_SUMMARIES[rule.id]} if rule.id in AYAT_SUMMARIES else set()
        for control_id in rule.spec.controls:
            article = catalogue.controls[control_id].article
            assert rules.regulations.resolve(prefix + article) is not None, (rule.id, control_id, article)
            required.add(article)
        assert required <= cited <= required | allowed, rule.id
