"""Render every format from findings of the real shipped rule packs (skipped until packs exist)."""

from __future__ import annotations

import json

import pytest

from scanner.judging.rules import RuleSet, RuleValidationError, load_rules
from scanner.model import Exposure, Facts, Finding, ScanResult, Target, TargetKind
from scanner.report import renderer
from tests.report.validation import errors, result_validator, sarif_validator


@pytest.fixture(scope="module")
def shipped() -> RuleSet:
    try:
        return load_rules()
    except RuleValidationError as exc:
        pytest.skip(f"shipped rule packs not loadable yet: {exc.errors[0]}")


def _result(rules: RuleSet) -> ScanResult:
    targets = [Target(TargetKind.URL, "https://portal.example.go.id/", agency="Diskominfo", exposure=Exposure.INTERNET,
                      declared_at="profiles/kota.toml:3"),
               Target(TargetKind.DATABASE, "mariadb://app@db.example.go.id/sipd", agency="Bappeda"),
               Target(TargetKind.SQLFILE, "dumps/a.sql"), Target(TargetKind.SOURCE, "src/app")]
    by_probe = {"tls": 0, "http": 0, "auth": 0, "database": 1, "sqlfile": 2, "code": 3}
    findings = []
    for n, rule in enumerate(rules.rules):
        spec, target = rule.spec, targets[by_probe[rule.probe]]
        findings.append(Finding(spec.id, target.id, f"item-{n}", spec.severity, 50.0, spec.title.model_dump(),
                                spec.title.model_dump(), {"name": f"item-{n}"}, list(spec.references), spec.probe,
                                agency=target.agency))
    facts = [Facts(p, targets[i].id, {}) for p, i in by_probe.items()]
    return ScanResult("shipped01", "2026-11-23T08:00:00+00:00", "2026-11-23T08:01:00+00:00", "0.1.0", rules.version,
                      targets, facts, findings, evaluated_rules=[r.id for r in rules.rules])


@pytest.mark.parametrize("fmt", ["html", "sarif", "junit", "csv", "markdown", "json"])
def test_shipped_rules_render(fmt: str, shipped: RuleSet) -> None:
    result = _result(shipped)
    for lang in ("id", "en"):
        out = renderer(fmt)(result, shipped, lang)
        if fmt == "sarif":
            assert errors(sarif_validator(), json.loads(out)) == []
        if fmt == "json":
            assert errors(result_validator(), json.loads(out)) == []
