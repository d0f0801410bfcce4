"""Probe registry. Probes are imported lazily so that `pindai rules ...` starts fast."""

from __future__ import annotations

import importlib

from scanner.probes.base import Probe

# name -> "module:Class"; each module is owned by one probe package.
PROBES: dict[str, str] = {
    "tls": "scanner.probes.tls.probe:TlsProbe",
    "http": "scanner.probes.http.probe:HttpProbe",
    "auth": "scanner.probes.auth.probe:AuthProbe",
    "database": "scanner.probes.database.probe:DatabaseProbe",
    "sqlfile": "scanner.probes.sqlfile.probe:SqlFileProbe",
    "code": "scanner.probes.code.probe:CodeProbe",
}


def load_probes(names: list[str] | None = None) -> list[Probe]:
    """Instantiate the registered probes (all of them, or the named ones)."""
    selected = names or list(PROBES)
    unknown = [n for n in selected if n not in PROBES]
    if unknown:
        raise ValueError(f"unknown probe(s): {', '.join(unknown)}; known: {', '.join(PROBES)}")
    probes: list[Probe] = []
    for name in selected:
        module_name, _, class_name = PROBES[name].partition(":")
        probes.append(getattr(importlib.import_module(module_name), class_name)())
    return probes
