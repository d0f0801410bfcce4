"""YAML loading for data files: the libyaml C loader, and a JSON cache of parsed files.

Parsing the shipped rule packs and regulation catalogues takes most of ``pindai rules list``;
the parsed form is cached as JSON under ``$PINDAI_CACHE_DIR`` (default
``$XDG_CACHE_HOME/pindai`` or ``~/.cache/pindai``), keyed by the SHA-256 of the text, so an
edited file is simply parsed again. Only data that survives a JSON round trip unchanged is
cached (no dates, no integer keys); an unwritable cache directory only costs speed. Documents a
target sends (OpenAPI YAML) are parsed with ``cache=False``; entries unused for ``MAX_AGE_S``
are removed whenever a new one is written, so the cache cannot grow without bound.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_AGE_S = 30 * 86400


def cache_dir() -> Path:
    """Where Pindai keeps derived data it can always rebuild."""
    explicit = os.environ.get("PINDAI_CACHE_DIR")
    if explicit:
        return Path(explicit)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "pindai"


def load_yaml(text: str, *, cache: bool = True) -> Any:
    """Parse YAML safely (no object construction); raises yaml.YAMLError on bad input.

    ``cache=False`` for text from a target: it is neither looked up nor written to the cache."""
    cached = cache_dir() / "yaml" / f"{hashlib.sha256(text.encode()).hexdigest()[:40]}.json"
    if cache:
        try:
            data = json.loads(cached.read_text(encoding="utf-8"))
            os.utime(cached)  # still in use: not pruned
            return data
        except (OSError, ValueError):
            pass
    # _Loader is CSafeLoader or SafeLoader: no arbitrary objects are constructed.
    data = yaml.load(text, Loader=_Loader)  # nosec B506
    if cache:
        _store(cached, data)
    return data


def _prune(directory: Path) -> None:
    """Remove cache entries not used for ``MAX_AGE_S``."""
    oldest = time.time() - MAX_AGE_S
    for entry in directory.glob("*.json"):
        try:
            if entry.stat().st_mtime < oldest:
                entry.unlink()
        except OSError:
            continue


def _store(path: Path, data: Any) -> None:
    try:
        encoded = json.dumps(data, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):  # dates, bytes, NaN: not JSON
        return
    if json.loads(encoded) != data:  # integer or boolean keys would come back as strings
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False) as tmp:
            tmp.write(encoded)
        os.replace(tmp.name, path)  # atomic: a concurrent reader sees the old file or the whole new one
    except OSError:
        return
    _prune(path.parent)
