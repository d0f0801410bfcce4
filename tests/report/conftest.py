"""Fixtures for the report tests: a synthetic rule pack over the shipped regulations and scan results."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.judging.rules import RuleSet
from scanner.model import ScanResult
from tests.report.fixtures import previous_result, sample_result, synthetic_ruleset

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def ruleset(tmp_path_factory: pytest.TempPathFactory) -> RuleSet:
    return synthetic_ruleset(tmp_path_factory.mktemp("rules"))


@pytest.fixture
def result(ruleset: RuleSet) -> ScanResult:
    return sample_result(ruleset)


@pytest.fixture
def previous(ruleset: RuleSet) -> ScanResult:
    return previous_result(ruleset)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
