"""Fixtures for the code-probe tests."""

from __future__ import annotations

import pytest

from scanner.judging.rules import RuleSet, load_rules


@pytest.fixture(scope="session")
def ruleset() -> RuleSet:
    return load_rules()
