"""One registry lists the probes; each probe package declares its contract once, in its SPEC."""

from __future__ import annotations

import ast
from pathlib import Path

from scanner.model import TargetKind
from scanner.probes import REGISTRY, load_probes, specs

SCANNER = Path(__file__).resolve().parents[2] / "scanner"
# String values that are not probe names where they appear: target kinds (TargetKind), URL schemes.
NOT_PROBE_NAMES = {
    "scanner/model.py": {"database", "sqlfile", "http", "code"},  # TargetKind values, URL schemes, CoverageLimit.code
    "scanner/net/session.py": {"http"},  # proxy scheme
    "scanner/net/urls.py": {"http"},  # URL scheme
    "scanner/commands/scan.py": {"http"},  # URL scheme of --proxy
}


def test_each_probe_is_named_only_in_its_own_package() -> None:
    """A seventh probe touches only its folder and one REGISTRY line: no other module of scanner/
    spells a probe name (so nothing else can branch on it)."""
    names = set(specs())
    offenders = []
    for path in sorted(SCANNER.rglob("*.py")):
        rel = path.relative_to(SCANNER.parent).as_posix()
        if rel.startswith("scanner/probes/") and rel.count("/") > 2:
            continue  # inside a probe package
        allowed = NOT_PROBE_NAMES.get(rel, set())
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in names - allowed:
                offenders.append(f"{rel}:{node.lineno}: {node.value!r}")
    assert offenders == []


def test_the_registry_gives_every_probe_its_spec() -> None:
    assert len(REGISTRY) == len(specs()) == 6
    for probe, (name, spec) in zip(load_probes(), specs().items(), strict=True):
        assert probe.name == name == spec.name
        assert spec.target_kinds <= set(TargetKind)
        assert spec.reproducer() is not None
        assert spec.example_target[0] in spec.target_kinds and spec.example_target[1]
    assert [s.name for s in specs().values() if s.uses_previous] == ["database"]


def _records(data: object, path: str = "facts") -> list[tuple[str, object]]:
    """(path, status) of each sub-check record: a mapping with a status, at the top of the facts or in
    ``facts.server`` (the database probe's server checks)."""
    found: list[tuple[str, object]] = []
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, dict) and "status" in value:
                found.append((f"{path}.{key}", value["status"]))
            if key == "server" and isinstance(value, dict):
                found += _records(value, f"{path}.server")
    return found


def test_sub_checks_speak_one_status_vocabulary() -> None:
    import json

    from scanner.probes.base import SubStatus

    root = Path(__file__).resolve().parents[2]
    observations = [(p.stem, e["facts"]) for p in (root / "docs/facts/examples").glob("*.json")
                    for e in json.loads(p.read_text(encoding="utf-8"))]
    for name in ("demo-facts.json", "fleet-facts.json"):
        observations += [(f["probe"], f["data"]) for f in
                         json.loads((root / "tests/data" / name).read_text(encoding="utf-8"))["facts"]]
    odd = {(probe, path, status) for probe, data in observations for path, status in _records(data)
           if status not in set(SubStatus)}
    assert odd == set()
