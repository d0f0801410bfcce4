"""The Rust CEL evaluator (PyPI ``common-expression-language``), loaded without its command line.

``import cel`` also imports the package's own CLI (typer, prompt_toolkit: about 0.5 s of start-up);
Pindai needs only the compiled extension ``cel.cel`` (``compile``, ``Context``, ``Program``).
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
from pathlib import Path
from types import ModuleType


def _extension() -> ModuleType:
    loaded = sys.modules.get("cel.cel")
    if loaded is not None:
        return loaded
    package = importlib.util.find_spec("cel")
    locations = package.submodule_search_locations if package else None
    for folder in locations or []:
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            path = Path(folder) / f"cel{suffix}"
            if path.is_file():
                loader = importlib.machinery.ExtensionFileLoader("cel.cel", str(path))
                spec = importlib.util.spec_from_loader("cel.cel", loader, origin=str(path))
                if spec is None:
                    break
                module = importlib.util.module_from_spec(spec)
                loader.exec_module(module)
                sys.modules["cel.cel"] = module
                return module
    import cel.cel  # an unusual install layout: take the slow, ordinary import

    return cel.cel


_CEL = _extension()
compile = _CEL.compile
Context = _CEL.Context
Program = _CEL.Program
