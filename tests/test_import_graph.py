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
    assert "scanner.pii.detectors" in graph["scanner.pii.scrubbing"]
    assert "scanner.pii.scrubbing" not in graph["scanner.pii.detectors"]


def test_no_import_cycle_between_modules() -> None:
    graph = _graph()
    # a package importing its own submodules (``__init__`` re-exports) is not a cycle of concern
    pruned = {name: {d for d in deps if not name.startswith(d + ".") and not d.startswith(name + ".")}
              for name, deps in graph.items()}
    assert _cycle(pruned) is None, " -> ".join(_cycle(pruned) or [])


PROBE_PACKAGES = frozenset(p.name for p in (PACKAGE / "probes").iterdir() if (p / "__init__.py").is_file())


def _probe_package(module: str) -> str | None:
    """The probe package ``module`` belongs to (its ``__init__`` included), or None."""
    parts = module.split(".")
    return parts[2] if len(parts) > 2 and parts[:2] == ["scanner", "probes"] and parts[2] in PROBE_PACKAGES else None


def test_no_probe_imports_another_probe() -> None:
    assert {"http", "auth", "sqlfile"} <= PROBE_PACKAGES
    sideways = {(name, dep) for name, deps in _graph().items() for dep in deps
                if _probe_package(name) and _probe_package(dep) and _probe_package(name) != _probe_package(dep)}
    assert sideways == set(), "a probe imports another probe; share the code outside scanner/probes"


def test_shared_code_never_imports_a_probe() -> None:
    """What probes share (``scanner/net``, ``scanner/pii``, ``scanner/sql``, ...) lives below them: outside
    ``scanner/probes`` a probe package is reached only through the registry (by name, at run time)."""
    upward = {(name, dep) for name, deps in _graph().items() for dep in deps
              if not name.startswith("scanner.probes") and _probe_package(dep)}
    assert upward == set()


def test_reports_never_import_the_engine() -> None:
    """Rendering reads what the judge recorded (ScanResult.applicable); it never evaluates rules."""
    graph = _graph()
    seen: set[str] = set()
    todo = [name for name in graph if name.startswith("scanner.report") or name == "scanner.judging.compliance"]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo += [d for d in graph.get(name, ()) if not d.startswith("scanner.probes.")]
    assert "scanner.judging.engine" not in seen
