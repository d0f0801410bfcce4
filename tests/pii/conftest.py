"""Shared fixtures for the scanner.pii tests."""

from __future__ import annotations

import pytest
from faker import Faker

from fixtures.synthetic import make_faker


@pytest.fixture
def fake() -> Faker:
    return make_faker(seed=20261123)
