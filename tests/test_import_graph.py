"""The package's import graph (module-level and function-level imports): no cycle, no probe importing
another probe, no report judging."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).parent.parent
PACKAGE = ROOT / "scanner"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, modules: set[str]) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        found |= {n for n in names if n in modules}
    return found


def _graph() -> dict[str, set[str]]:
    files = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    modules = set(files)
    # a package's __init__ re-exports its modules; importing a submodule runs the package first
    return {name: _imports(path, modules) - {name} for name, path in files.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt):], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_pii_masking_depends_on_detection_not_both_ways() -> None:
    graph = _graph()
    assert "scanner.pii.detectors" in graph["scanner.pii.masking"]
    assert "scanner.pii.masking" not in graph["scanner.pii.detectors"]


def test_no_import_cycle_between_modules() -> None:
    graph = _graph()
    # a package importing its own submodules (``__init__`` re-exports) is not a cycle of concern
    pruned = {name: {d for d in deps if not name.startswith(d + ".") and not d.startswith(name + ".")}
              for name, deps in graph.items()}
    assert _cycle(pruned) is None, " -> ".join(_cycle(pruned) or [])


def _probe_package(module: str) -> str | None:
    parts = module.split(".")
    return parts[2] if len(parts) > 3 and parts[:2] == ["scanner", "probes"] else None


# Sideways imports between probes that predate the rule (audit 2026-12-06 §1.2): shared code still to
# move out of the probe packages (HTML parsing and page shape to scanner/web, the SQL analyser to
# scanner/sql, column facts to scanner/pii). Nothing may be added to this list.
KNOWN_SIDEWAYS = {
    ("scanner.probes.auth.blackbox", "scanner.probes.http.exposures"),
    ("scanner.probes.auth.blackbox", "scanner.probes.http.html"),
    ("scanner.probes.auth.references", "scanner.probes.http.html"),
    ("scanner.probes.code.sql", "scanner.probes.sqlfile.analyze"),
    ("scanner.probes.sqlfile.analyze", "scanner.probes.database.columns"),
}


def test_no_probe_imports_another_probe() -> None:
    sideways = {(name, dep) for name, deps in _graph().items() for dep in deps
                if _probe_package(name) and _probe_package(dep) and _probe_package(name) != _probe_package(dep)}
    assert sideways - KNOWN_SIDEWAYS == set(), "a probe imports another probe; share the code outside scanner/probes"


def test_reports_never_import_the_engine() -> None:
    """Rendering reads what the judge recorded (ScanResult.applicable); it never evaluates rules."""
    graph = _graph()
    seen: set[str] = set()
    todo = [name for name in graph if name.startswith("scanner.report") or name == "scanner.compliance"]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo += [d for d in graph.get(name, ()) if not d.startswith("scanner.probes.")]
    assert "scanner.engine" not in seen
