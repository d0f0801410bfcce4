"""Optional dependencies: a clear message naming the ``pindai[extra]`` that provides a feature."""

from __future__ import annotations

import importlib.util

from scanner.errors import PindaiError

#: extra name -> (importable module, what needs it)
EXTRAS: dict[str, tuple[str, str]] = {
    "distributed": ("celery", "distributed scanning (pindai worker, scan/daemon --distributed)"),
    "mysql": ("pymysql", "MySQL/MariaDB targets"),
}


class MissingExtra(PindaiError, ImportError):
    """A feature's optional dependency is not installed; the message says how to install it."""


def require_extra(extra: str) -> None:
    """Raise :class:`MissingExtra` unless the optional dependency of ``extra`` is importable."""
    module, feature = EXTRAS[extra]
    if importlib.util.find_spec(module) is None:
        raise MissingExtra(
            f"{feature} needs the optional package {module!r}: pip install 'pindai[{extra}]' / "
            f"{feature} memerlukan paket opsional {module!r}: pip install 'pindai[{extra}]'"
        )
