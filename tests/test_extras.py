"""A feature whose optional dependency is missing names the extra that installs it."""

from __future__ import annotations

import sys

import pytest
from click.testing import CliRunner

from scanner.cli import main
from scanner.extras import MissingExtra, require_extra


def test_require_extra_names_the_pip_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "celery", None)  # as if celery were not installed
    with pytest.raises(MissingExtra, match=r"pip install 'pindai\[distributed\]'"):
        require_extra("distributed")


def test_present_extra_passes() -> None:
    require_extra("mysql")  # the test environment installs every extra


def test_scan_distributed_without_celery_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "celery", None)
    done = CliRunner().invoke(main, ["scan", "--distributed", "https://127.0.0.1:9/", "--no-store"])
    assert done.exit_code == 2
    assert "pindai[distributed]" in done.output
