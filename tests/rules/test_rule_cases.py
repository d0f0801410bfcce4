"""Every shipped rule fires on its true cases and stays silent on its false cases.

Cases live in tests/rules/cases/<pack>.yaml (format: scanner/judging/rulecases.py); `pindai rules test` runs
the same checks, and so does an agency on its own pack.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner.cli import main
from scanner.judging.rulecases import cases_file, check_cases, load_cases
from scanner.judging.rules import Rule, RuleSet, load_rules

RULESET: RuleSet = load_rules()
CASES = {rule.id: (found, load_cases(found)) for rule in RULESET.rules if (found := cases_file(Path(rule.file)))}


@pytest.mark.parametrize("rule", RULESET.rules, ids=lambda r: r.id)
def test_rule_cases(rule: Rule) -> None:
    assert rule.id in CASES, f"{rule.id} has no cases in tests/rules/cases/"
    file, cases = CASES[rule.id]
    ran, failures = check_cases(RULESET, [rule], {rule.id: cases.get(rule.id)}, str(file))
    assert [str(f) for f in failures] == []
    assert ran >= 2


def test_cases_name_only_existing_rules() -> None:
    known = {r.id for r in RULESET.rules}
    unknown = sorted({rule_id for _file, cases in CASES.values() for rule_id in cases} - known)
    assert not unknown, f"cases for unknown rules: {unknown}"


def test_rules_test_command_reports_a_failing_case_of_an_agency_pack(tmp_path: Path) -> None:
    pack = tmp_path / "kab.yaml"
    pack.write_text(
        "pack: kab\nprobe: http\napplies_when: 'true'\nrules:\n"
        "  - id: KAB-HTTP-001\n    severity: low\n    title: {id: Tanpa nosniff}\n"
        "    description: {id: Uraian}\n    when: '!facts.headers.x_content_type_options.nosniff'\n"
        "    message: {id: Pesan}\n    remediation: {id: [Langkah]}\n    references: ['uu-pdp-2022:35']\n")
    (tmp_path / "kab.cases.yaml").write_text(
        "KAB-HTTP-001:\n  fires:\n    - facts: {headers: {x_content_type_options: {nosniff: false}}}\n"
        "  passes:\n    - facts: {headers: {x_content_type_options: {nosniff: false}}}\n"
        "    - facts: {headers: {x_content_type_option: {nosniff: true}}}\n")
    result = CliRunner().invoke(main, ["rules", "test", str(pack)])
    assert result.exit_code == 1
    assert "KAB-HTTP-001 passes[0]: produced 1 finding(s), expected none" in result.output
    assert "KAB-HTTP-001 passes[1]: case facts: no such fact 'facts.headers.x_content_type_option'" in result.output
    assert "kab.yaml: 1 rules, 3 cases, 2 failed" in result.output
