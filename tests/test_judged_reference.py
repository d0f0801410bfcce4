"""Judged findings and the compliance view of the reference facts stay exactly as recorded.

``tests/data/judged-reference.json`` was recorded from main at a4d043c, before the probe
contract and judge refactoring of issue #26: fingerprints, messages, evidence and references of
every finding, and each article's status with the targets where each rule really tested it.
A change of rules or engine that alters any of them must re-record the file on purpose.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from scanner.judging.compliance import compliance_view
from scanner.judging.rules import load_rules
from scanner.model import Facts, ScanResult, Target
from scanner.running.scan import judged

DATA = Path(__file__).parent / "data"


def judged_view(name: str) -> dict[str, Any]:
    """The findings and compliance rows of one reference facts file, as plain data."""
    raw = json.loads((DATA / name).read_text(encoding="utf-8"))
    ruleset = load_rules()
    result = judged(ScanResult("reference", "", "", "", "", [Target.from_dict(t) for t in raw["targets"]],
                               [Facts.from_dict(f) for f in raw["facts"]]), ruleset)
    view = compliance_view(result, ruleset)
    return json.loads(json.dumps({
        "findings": sorted((f.to_dict() for f in result.findings), key=lambda d: d["fingerprint"]),
        "compliance": {catalogue: [[r.article.ref, r.status, r.rules, r.findings, r.tested] for r in rows]
                       for catalogue, rows in view.items()},
    }))


@pytest.mark.parametrize("name", ["demo-facts.json", "fleet-facts.json"])
def test_findings_and_compliance_unchanged(name: str) -> None:
    recorded = json.loads((DATA / "judged-reference.json").read_text(encoding="utf-8"))[name]
    now = judged_view(name)
    assert [f["fingerprint"] for f in now["findings"]] == [f["fingerprint"] for f in recorded["findings"]]
    assert now["findings"] == recorded["findings"]
    assert now["compliance"] == recorded["compliance"]
