"""No function in scanner/ is longer than 80 lines: a longer one is a set of named phases waiting
to be split (as classify_protection's five steps and the TLS scan's phases were)."""

from __future__ import annotations

import ast
from pathlib import Path

SCANNER = Path(__file__).resolve().parent.parent / "scanner"
MAX_LINES = 80


def test_no_function_is_longer_than_80_lines() -> None:
    long = []
    for path in sorted(SCANNER.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > MAX_LINES:
                    long.append(f"{path.relative_to(SCANNER.parent)}:{node.lineno} {node.name} ({lines} lines)")
    assert long == []
