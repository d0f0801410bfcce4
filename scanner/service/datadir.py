"""The user's data directory: datasets that ``pindai update`` refreshes (never inside the package).

``$PINDAI_DATA_DIR``, else ``$XDG_DATA_HOME/pindai``, else ``~/.local/share/pindai`` (the
directory the history store uses too). The packaged data stays the fallback when a dataset is absent.
"""

from __future__ import annotations

import os
from pathlib import Path


def user_data_dir() -> Path:
    """Where refreshed datasets live."""
    if os.environ.get("PINDAI_DATA_DIR"):
        return Path(os.environ["PINDAI_DATA_DIR"]).expanduser()
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "pindai"


def user_eol_table() -> Path:
    return user_data_dir() / "eol.yaml"


def advisories_dir() -> Path:
    return user_data_dir() / "advisories"
