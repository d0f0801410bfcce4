from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.web.fleet import Clock, serving, store_at


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def base_url(tmp_path, clock) -> Iterator[str]:
    """A dashboard over a fresh fleet store, served by uvicorn on loopback."""
    with serving(store_at(tmp_path), clock) as url:
        yield url
