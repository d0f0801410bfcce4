"""Walk a source tree: which files the code probe reads, and which it skips and why."""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field
from pathlib import Path

from scanner.probes.code.ignore import IgnoreRules, ignored
from scanner.probes.code.patterns import Detectors
from scanner.probes.code.readfile import FileTooLarge, NotRegularFile, read_regular

IGNORE_FILE = ".pindaiignore"
IGNORE_FILE_MAX_BYTES = 1024 * 1024  # a .gitignore/.pindaiignore larger than this is not read
_SNIFF_BYTES = 8192


@dataclass(frozen=True)
class SourceFile:
    """One readable text file of the tree."""

    rel: str  # POSIX path relative to the scan root
    path: Path
    text: str


@dataclass
class Inventory:
    """The files of a tree the probe reads, plus what it skipped (by reason) and ``.gitignore`` rules."""

    files: list[SourceFile] = field(default_factory=list)
    skipped: dict[str, list[str]] = field(default_factory=dict)
    gitignore: list[IgnoreRules] = field(default_factory=list)
    ignore_file: str | None = None
    truncated: bool = False

    def skip(self, reason: str, rel: str) -> None:
        self.skipped.setdefault(reason, []).append(rel)


def _as_text(data: bytes) -> str | None:
    """The file's bytes as text, or None when it looks binary (NUL byte or not UTF-8/Latin-1 text)."""
    if b"\x00" in data[:_SNIFF_BYTES]:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
        printable = sum(1 for ch in text[:_SNIFF_BYTES] if ch.isprintable() or ch in "\r\n\t")
        return text if printable >= 0.95 * min(len(text), _SNIFF_BYTES) else None


def _skip_dir(name: str, detectors: Detectors) -> bool:
    return any(fnmatch.fnmatchcase(name, glob) for glob in detectors.skip_dirs)


def _read(inventory: Inventory, path: Path, rel: str, limit: int) -> bytes | None:
    """Bytes of a regular file of the tree, or None with the reason recorded in ``inventory``."""
    try:
        return read_regular(path, limit)
    except NotRegularFile:
        inventory.skip("symlink" if path.is_symlink() else "not_regular_file", rel)
    except FileTooLarge:
        inventory.skip("too_large", rel)
    except OSError:
        inventory.skip("unreadable", rel)
    return None


def _ignore_rules(inventory: Inventory, path: Path, rel: str, rel_dir: str = "") -> IgnoreRules | None:
    """The ignore file's rules; lines that are not valid patterns are listed as ``ignore_pattern`` skips."""
    data = _read(inventory, path, rel, IGNORE_FILE_MAX_BYTES)
    if data is None:
        return None
    rules = IgnoreRules.parse(data.decode("utf-8", errors="replace"), rel_dir)
    for number in rules.bad_lines:
        inventory.skip("ignore_pattern", f"{rel}:{number}")
    return rules


def walk(root: Path, detectors: Detectors) -> Inventory:
    """Collect the tree's text files, honouring ``.pindaiignore`` and the skip lists.

    Only regular files are opened (never through a symlink, a FIFO or a device), each size-capped."""
    inventory = Inventory()
    pindaiignore: list[IgnoreRules] = []
    refused: set[str] = set()  # ignore files already skipped (not listed twice)
    ignore_path = root / IGNORE_FILE
    if ignore_path.exists() or ignore_path.is_symlink():
        rules = _ignore_rules(inventory, ignore_path, IGNORE_FILE)
        if rules is not None:
            pindaiignore.append(rules)
            inventory.ignore_file = IGNORE_FILE
        else:
            refused.add(IGNORE_FILE)
    for current, dirs, names in os.walk(root, followlinks=False):
        here = Path(current)
        rel_dir = here.relative_to(root).as_posix()
        rel_dir = "" if rel_dir == "." else rel_dir
        if ".gitignore" in names:
            rel = f"{rel_dir}/.gitignore" if rel_dir else ".gitignore"
            rules = _ignore_rules(inventory, here / ".gitignore", rel, rel_dir)
            if rules is not None:
                inventory.gitignore.append(rules)
            else:
                refused.add(rel)
        kept = []
        for name in sorted(dirs):
            rel = f"{rel_dir}/{name}" if rel_dir else name
            if _skip_dir(name, detectors):
                inventory.skip("excluded_directory", rel + "/")
            elif ignored(pindaiignore, rel, is_dir=True):
                inventory.skip("pindaiignore", rel + "/")
            elif (here / name).is_symlink():
                inventory.skip("symlink", rel + "/")
            else:
                kept.append(name)
        dirs[:] = kept
        for name in sorted(names):
            rel = f"{rel_dir}/{name}" if rel_dir else name
            if rel in refused:
                continue
            if ignored(pindaiignore, rel):
                inventory.skip("pindaiignore", rel)
                continue
            _add_file(inventory, here / name, rel, detectors)
    return inventory


def _add_file(inventory: Inventory, path: Path, rel: str, detectors: Detectors) -> None:
    """Read ``path`` into the inventory, or record why it was skipped."""
    if len(inventory.files) >= detectors.max_files:
        inventory.truncated = True
        inventory.skip("file_limit", rel)
        return
    data = _read(inventory, path, rel, detectors.max_file_bytes)
    if data is None:
        return
    text = _as_text(data)
    if text is None:
        inventory.skip("binary", rel)
        return
    inventory.files.append(SourceFile(rel, path, text))


def walk_file(path: Path, detectors: Detectors) -> Inventory:
    """The inventory of a single source file (a pre-commit hook scans the files of a commit)."""
    inventory = Inventory()
    _add_file(inventory, path, path.name, detectors)
    return inventory


def vcs_ignored(inventory: Inventory, rel: str) -> bool:
    """Whether a ``.gitignore`` in the tree keeps ``rel`` out of version control."""
    return ignored(inventory.gitignore, rel)
