from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from scanner.history.store import Store
from tests.web.fleet import Clock, serving, store_at


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="session")
def fleet_file(tmp_path_factory) -> Path:
    """The fleet store, made once (migrations and argon2 hashes take seconds); each test gets a copy."""
    folder = tmp_path_factory.mktemp("fleet")
    store_at(folder).engine.dispose()
    return folder / "history.db"


@pytest.fixture
def fleet_store(tmp_path, fleet_file) -> Store:
    shutil.copyfile(fleet_file, tmp_path / "history.db")
    return Store(f"sqlite:///{tmp_path / 'history.db'}")


@pytest.fixture
def base_url(fleet_store, clock) -> Iterator[str]:
    """A dashboard over a fresh copy of the fleet store, served by uvicorn on loopback."""
    with serving(fleet_store, clock) as url:
        yield url
