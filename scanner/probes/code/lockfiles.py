"""Read the exact package versions a project pins, from its lock and requirements files.

composer.lock; package-lock.json / npm-shrinkwrap.json (v1 nested ``dependencies``, v2/v3
``packages``); yarn.lock (v1 and Berry); pnpm-lock.yaml (v5 ``/name/1.0.0``, v6 ``/name@1.0.0``,
v9 ``name@1.0.0``); requirements*.txt (``==`` pins only); poetry.lock; Pipfile.lock.
"""

from __future__ import annotations

import fnmatch
import json
import re
import tomllib
from dataclasses import dataclass
from typing import Any

import yaml


@dataclass(frozen=True)
class Pinned:
    ecosystem: str  # OSV ecosystem name
    name: str
    version: str
    file: str


class LockfileError(ValueError):
    """A lock file that cannot be read as its format."""


def _composer(text: str) -> list[tuple[str, str, str]]:
    doc = json.loads(text)
    return [("Packagist", p["name"], str(p["version"]).removeprefix("v"))
            for key in ("packages", "packages-dev") for p in doc.get(key) or []]


def _npm_lock(text: str) -> list[tuple[str, str, str]]:
    doc = json.loads(text)
    out: list[tuple[str, str, str]] = []
    if isinstance(doc.get("packages"), dict):  # lockfileVersion 2 and 3
        for path, info in doc["packages"].items():
            if path and "node_modules/" in path and info.get("version") and not info.get("link"):
                out.append(("npm", info.get("name") or path.rsplit("node_modules/", 1)[1], str(info["version"])))
        return out

    def nested(deps: dict[str, Any]) -> None:  # lockfileVersion 1
        for name, info in deps.items():
            if isinstance(info, dict) and info.get("version"):
                out.append(("npm", name, str(info["version"])))
                nested(info.get("dependencies") or {})
    nested(doc.get("dependencies") or {})
    return out


_YARN_ENTRY = re.compile(r'^"?(@?[^@\s"]+)@[^\n]*:\s*$')
_YARN_VERSION = re.compile(r'^\s+version:?\s+"?([^"\s]+)"?\s*$')


def _yarn(text: str) -> list[tuple[str, str, str]]:
    out, name = [], None
    for line in text.splitlines():
        entry = _YARN_ENTRY.match(line)
        if entry:
            name = entry.group(1)
            continue
        version = _YARN_VERSION.match(line)
        if version and name:
            out.append(("npm", name, version.group(1)))
            name = None
    return out


_PNPM_KEY = re.compile(r"^/?(@?[^@/(]+(?:/[^@/(]+)?)[@/](\d[^(_/]*)")


def _pnpm(text: str) -> list[tuple[str, str, str]]:
    doc = yaml.safe_load(text) or {}
    out = []
    for key in (doc.get("packages") or {}):
        match = _PNPM_KEY.match(str(key))
        if match:
            out.append(("npm", match.group(1), match.group(2)))
    return out


_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*===?\s*([^\s;#,]+)")


def _requirements(text: str) -> list[tuple[str, str, str]]:
    return [("PyPI", m.group(1), m.group(2)) for line in text.splitlines() if (m := _REQUIREMENT.match(line))]


def _poetry(text: str) -> list[tuple[str, str, str]]:
    return [("PyPI", p["name"], str(p["version"])) for p in tomllib.loads(text).get("package") or []]


def _pipfile(text: str) -> list[tuple[str, str, str]]:
    doc = json.loads(text)
    return [("PyPI", name, str(info["version"]).lstrip("=")) for key in ("default", "develop")
            for name, info in (doc.get(key) or {}).items() if isinstance(info, dict) and info.get("version")]


PARSERS = {
    "composer.lock": _composer, "package-lock.json": _npm_lock, "npm-shrinkwrap.json": _npm_lock,
    "yarn.lock": _yarn, "pnpm-lock.yaml": _pnpm, "poetry.lock": _poetry, "Pipfile.lock": _pipfile,
}


def is_lockfile(rel: str) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return name in PARSERS or fnmatch.fnmatchcase(name, "requirements*.txt")


def pinned(rel: str, text: str) -> list[Pinned]:
    """The packages ``rel`` pins; raises :class:`LockfileError` when it is not its format."""
    name = rel.rsplit("/", 1)[-1]
    parser = PARSERS.get(name, _requirements)
    try:
        found = parser(text)
    except (ValueError, KeyError, TypeError, AttributeError, yaml.YAMLError, tomllib.TOMLDecodeError) as exc:
        raise LockfileError(f"{rel}: not a readable {name} ({type(exc).__name__})") from exc
    unique = dict.fromkeys((eco, str(n), v) for eco, n, v in found)
    return [Pinned(eco, n, v, rel) for eco, n, v in unique]
