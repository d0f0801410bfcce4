"""Observations the history store could not take yet, kept in a local file until it can.

One JSON line per observation (PII already masked, as the store keeps it), flushed and fsynced
before the observation counts. The file lives in ``$PINDAI_SPOOL_DIR`` or the user's data
directory (``~/.local/share/pindai/spool``), one folder per store, one file per scan:
``pindai scan --resume`` finds it by the store and the scan id.
"""

from __future__ import annotations

import hashlib
import json
import os
from contextlib import suppress
from dataclasses import replace
from pathlib import Path

from scanner.model import Facts
from scanner.pii import scrub


def spool_dir() -> Path:
    """``$PINDAI_SPOOL_DIR`` or ``spool`` in the user's Pindai data directory."""
    if os.environ.get("PINDAI_SPOOL_DIR"):
        return Path(os.environ["PINDAI_SPOOL_DIR"]).expanduser()
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "pindai"
    return base / "spool"


class Spool:
    """The spooled observations of one scan in one store (``store_key``: the store URL without password)."""

    def __init__(self, store_key: str, scan_id: str, directory: Path | None = None) -> None:
        folder = hashlib.sha256(store_key.encode()).hexdigest()[:16]
        self.path = (directory or spool_dir()) / folder / f"{scan_id}.jsonl"

    def append(self, facts: Facts) -> None:
        """Write one observation durably (raises OSError when the disk refuses)."""
        line = json.dumps(replace(facts, data=scrub(facts.data)).to_dict(), ensure_ascii=True) + "\n"
        for directory in reversed([self.path.parent, self.path.parent.parent]):
            with suppress(FileExistsError):
                directory.mkdir(mode=0o700, parents=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.write(fd, line.encode())
            os.fsync(fd)
        finally:
            os.close(fd)

    def load(self) -> list[Facts]:
        """Every spooled observation, the latest per (target, probe); a torn last line is skipped."""
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        found: dict[tuple[str, str], Facts] = {}
        for line in lines:
            with suppress(ValueError, KeyError, TypeError):
                facts = Facts.from_dict(json.loads(line))
                found[(facts.target_id, facts.probe)] = facts
        return list(found.values())

    def remove(self) -> None:
        with suppress(FileNotFoundError):
            self.path.unlink()
