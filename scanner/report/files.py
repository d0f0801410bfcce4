"""Write report files atomically: a reader sees the old file or the whole new one, never a torn one."""

from __future__ import annotations

import os
import tempfile
from contextlib import suppress
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to a temporary file beside ``path``, fsync it, then rename it over ``path``.

    Raises OSError (read-only directory, full disk ...) with nothing left behind: no temporary file,
    and ``path`` untouched. The file gets the usual permissions (0666 minus the umask). A symbolic link
    is followed (the file it names is replaced, the link stays); a path that exists and is not a regular
    file (``/dev/stdout``, a pipe) is written in place, never replaced.
    """
    path = path.resolve() if path.is_symlink() else path
    if path.exists() and not path.is_file():
        with path.open("w", encoding="utf-8") as stream:
            stream.write(text)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o666 & ~_umask())
        os.replace(temp, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(temp)
        raise
