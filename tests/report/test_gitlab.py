"""GitLab outputs: the SAST report and Code Quality JSON validate against their schemas."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner.cli import main
from scanner.judging.rules import RuleSet
from scanner.model import ScanResult
from scanner.report import codequality, gitlab_sast
from tests.report.validation import errors, gitlab_validator

SAST = "gitlab-sast-report-format-15.0.6"
CODEQUALITY = "gitlab-codequality"


@pytest.mark.parametrize("lang", ["id", "en"])
def test_sample_result_validates(result: ScanResult, ruleset: RuleSet, lang: str) -> None:
    sast = json.loads(gitlab_sast.render(result, ruleset, lang))
    assert errors(gitlab_validator(SAST), sast) == []
    vulnerabilities = sast["vulnerabilities"]
    assert vulnerabilities and all(v["identifiers"][0]["type"] == "pindai_rule" for v in vulnerabilities)
    quality = json.loads(codequality.render(result, ruleset, lang))
    assert errors(gitlab_validator(CODEQUALITY), quality) == []
    assert len(quality) == len(sast["vulnerabilities"]) == sum(1 for f in result.findings if f.status == "open")


def test_the_schemas_reject_broken_reports(result: ScanResult, ruleset: RuleSet) -> None:
    sast = gitlab_sast.build(result, ruleset, "en")
    sast["vulnerabilities"][0]["severity"] = "Severe"
    sast["scan"]["start_time"] = "2026-12-06T07:00:00+00:00"
    problems = errors(gitlab_validator(SAST), sast)
    assert any("Severe" in p for p in problems) and any("start_time" in p for p in problems)
    quality = codequality.build(result, ruleset, "en")
    del quality[0]["location"]["lines"]
    assert errors(gitlab_validator(CODEQUALITY), quality)


def test_a_code_scan_through_the_cli_points_at_files_and_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    (repo / "app").mkdir(parents=True)
    secret = 'AWS_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"'
    (repo / "app" / "settings.py").write_text(f"DEBUG = True\n\n{secret}\n")
    monkeypatch.chdir(repo)
    done = CliRunner().invoke(main, ["scan", "app", "--no-store", "--gitlab-sast", "gl-sast-report.json",
                                     "--codequality", "gl-code-quality-report.json"])
    assert done.exit_code in (0, 1), done.output
    sast = json.loads((repo / "gl-sast-report.json").read_text())
    quality = json.loads((repo / "gl-code-quality-report.json").read_text())
    assert errors(gitlab_validator(SAST), sast) == [] and errors(gitlab_validator(CODEQUALITY), quality) == []
    assert {(v["location"]["file"], v["location"]["start_line"]) for v in sast["vulnerabilities"]} >= {
        ("app/settings.py", 3)}
    assert {(q["location"]["path"], q["location"]["lines"]["begin"]) for q in quality} >= {("app/settings.py", 3)}
    assert "wJalrXUtnFEMI" not in json.dumps(sast) + json.dumps(quality)
