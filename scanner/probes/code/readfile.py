"""Read a file of a scanned tree safely: only a regular file, never through a symlink, size-capped.

A hostile tree can hold a ``.gitignore`` that is a symlink to ``/dev/zero`` (endless bytes) or a
FIFO (an ``open`` that waits forever). :func:`read_regular` opens without following a final
symlink and without blocking, checks the opened descriptor (not the path, which could change in
between) and never reads more than ``limit + 1`` bytes.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


class NotRegularFile(OSError):
    """A symlink, FIFO, socket or device where a regular file was expected."""


class FileTooLarge(OSError):
    """A regular file larger than the cap."""


def read_regular(path: Path, limit: int) -> bytes:
    """Contents of ``path`` if it is a regular file (not via a symlink) of at most ``limit`` bytes."""
    if path.is_symlink():
        raise NotRegularFile(f"{path.name} is a symbolic link")
    try:
        fd = os.open(path, _FLAGS)
    except OSError as exc:
        if path.is_symlink():  # O_NOFOLLOW refused a link swapped in after the check above
            raise NotRegularFile(f"{path.name} is a symbolic link") from exc
        raise
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile(f"{path.name} is not a regular file")
        if info.st_size > limit:
            raise FileTooLarge(f"{path.name} is larger than {limit} bytes")
        data = handle.read(limit + 1)
    if len(data) > limit:  # it grew after fstat
        raise FileTooLarge(f"{path.name} is larger than {limit} bytes")
    return data
