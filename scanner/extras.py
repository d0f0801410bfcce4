"""Optional dependencies: a clear message naming the ``pindai[extra]`` that provides a feature."""

from __future__ import annotations

import importlib.util

from scanner.errors import PindaiError

#: extra name -> (importable module, what needs it, the package(s) a pipx user injects)
EXTRAS: dict[str, tuple[str, str, str]] = {
    "distributed": ("celery", "distributed scanning (pindai worker, scan/daemon --distributed)", "'celery[redis]'"),
    "mysql": ("pymysql", "MySQL/MariaDB targets", "pymysql"),
}


class MissingExtra(PindaiError, ImportError):
    """A feature's optional dependency is not installed; the message says how to install it."""


def require_extra(extra: str) -> None:
    """Raise :class:`MissingExtra` unless the optional dependency of ``extra`` is importable."""
    module, feature, packages = EXTRAS[extra]
    if importlib.util.find_spec(module) is None:
        install = f"pipx inject pindai {packages} (pipx), or pip install 'pindai[{extra}]' (pip, in Pindai's venv)"
        raise MissingExtra(
            f"{feature} needs the optional package {module!r}; install it with {install} / "
            f"{feature} memerlukan paket opsional {module!r}; pasang dengan perintah tersebut"
        )


def require_extras_for(databases: list[str]) -> None:
    """Raise :class:`MissingExtra` before a scan when a database target's driver is missing
    (``databases``: the schemes of the database targets to be scanned)."""
    if any(scheme.split("+")[0] in ("mysql", "mariadb") for scheme in databases):
        require_extra("mysql")
