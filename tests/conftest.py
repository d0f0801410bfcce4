"""Shared test helpers: a tiny regulation catalogue and rule-pack writer for isolated tests."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scanner.regulations import RegulationIndex, load_regulations
from tests.support import CATALOGUE


@pytest.fixture
def regulations(tmp_path: Path) -> RegulationIndex:
    folder = tmp_path / "regulations"
    folder.mkdir()
    (folder / "test-law.yaml").write_text(CATALOGUE)
    return load_regulations(folder)


@pytest.fixture
def write_pack(tmp_path: Path):
    """Write a rule pack from YAML rule bodies and return its path."""

    def write(*rules: str, name: str = "pack.yaml", header: str = "pack: test\n") -> Path:
        body = header + "rules:\n" + "".join(textwrap.indent(r, "    ").replace("    ", "  - ", 1) for r in rules)
        path = tmp_path / name
        path.write_text(body)
        return path

    return write


@pytest.fixture(autouse=True)
def _private_history_store(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never let a test write to the user's history store."""
    monkeypatch.setenv("PINDAI_STORE", f"sqlite:///{tmp_path_factory.mktemp('store') / 'history.db'}")


@pytest.fixture(scope="session", autouse=True)
def _private_session_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Module- and session-scoped fixtures never see the datasets ``pindai update`` keeps for the user."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PINDAI_DATA_DIR", str(tmp_path_factory.mktemp("session-data")))
        yield


@pytest.fixture(autouse=True)
def _private_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with an empty data directory: the packaged data only, no advisories."""
    from scanner.advisories import load_index
    from scanner.eol import load_table

    monkeypatch.setenv("PINDAI_DATA_DIR", str(tmp_path_factory.mktemp("data")))
    load_table.cache_clear()
    load_index.cache_clear()


@pytest.fixture(autouse=True)
def _facts_fit_their_models(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every observation a test makes fits its probe's facts model (``ProbeSpec.facts``).

    Each loaded probe's ``run`` is wrapped: what it returns is checked against the model, and the
    test fails at its end naming the probe and the fields that do not fit. (A scan also checks at
    run time: ``scanner.runner.fit_model``.) Probe modules not yet imported are left alone.
    """
    import sys

    from scanner.model import encodable_data
    from scanner.probes import specs
    from scanner.probes.facts import check_facts

    misfits: list[str] = []

    def wrapped(run: Any, name: str) -> Any:
        def checked(self: Any, target: Any, ctx: Any) -> Any:
            data = run(self, target, ctx)
            model = specs()[name].facts_model()
            # checked as the runner checks it: after the text is made encodable (scanner.runner.observe)
            problems = check_facts(model, encodable_data(data)) if model is not None and isinstance(data, dict) else []
            misfits.extend(f"{name} on {getattr(target, 'location', target)}: {p}" for p in problems[:10])
            return data

        return checked

    for name, spec in specs().items():
        module, _, cls_name = spec.implementation.partition(":")
        if module in sys.modules:
            cls = getattr(sys.modules[module], cls_name)
            monkeypatch.setattr(cls, "run", wrapped(cls.run, name))
    yield
    assert not misfits, "facts that do not fit their facts model:\n" + "\n".join(misfits)
