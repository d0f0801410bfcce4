"""Probe registry: the one list of probe packages. Each package's ``SPEC`` says the rest.

A new probe is a new package under ``scanner/probes/`` with a ``SPEC`` and one line here.
Probe implementations are imported lazily so that `pindai rules ...` starts fast.
"""

from __future__ import annotations

import functools
import importlib
from typing import Any

from pydantic import ValidationError

from scanner.probes.base import Probe, ProbeSpec

REGISTRY: tuple[str, ...] = (
    "scanner.probes.tls",
    "scanner.probes.http",
    "scanner.probes.auth",
    "scanner.probes.database",
    "scanner.probes.sqlfile",
    "scanner.probes.code",
)


@functools.cache
def specs() -> dict[str, ProbeSpec]:
    """Probe name -> its spec, in registry order."""
    found: dict[str, ProbeSpec] = {}
    for package in REGISTRY:
        spec: ProbeSpec = importlib.import_module(package).SPEC
        found[spec.name] = spec
    return found


def probe_names() -> list[str]:
    return list(specs())


def load_probes(names: list[str] | None = None) -> list[Probe]:
    """Instantiate the registered probes (all of them, or the named ones)."""
    known = specs()
    selected = names or list(known)
    unknown = [n for n in selected if n not in known]
    if unknown:
        raise ValueError(f"unknown probe(s): {', '.join(unknown)}; known: {', '.join(known)}")
    return [known[name].load() for name in selected]


class OptionsError(ValueError):
    """Target options a probe cannot use; ``problems`` are ``(field path, message)`` pairs."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{where}: {message}" for where, message in problems))
        self.problems = problems


def _field_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def checked_options(options: dict[str, Any]) -> dict[str, Any]:
    """``options`` checked by every probe's options model: the ones a model knows come back in
    their checked form (``"5"`` -> ``5.0`` where a number is meant), unknown ones unchanged.

    Raises OptionsError naming each bad field.
    """
    checked = dict(options)
    problems: list[tuple[str, str]] = []
    for spec in specs().values():
        try:
            model = spec.options_model().model_validate(options)
        except ValidationError as exc:
            problems += [(_field_path(e["loc"]), e["msg"]) for e in exc.errors()]
            continue
        checked.update(model.model_dump(exclude_unset=True, mode="json"))
    if problems:
        raise OptionsError(sorted(set(problems)))
    return checked
