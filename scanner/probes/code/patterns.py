"""Detector data for the code probe, loaded from ``rules/code/secret-patterns.yaml``."""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any

from scanner.resources import rules_dir
from scanner.yamlio import load_yaml


def patterns_file() -> Path:
    return rules_dir() / "code" / "secret-patterns.yaml"


@dataclass(frozen=True)
class SecretPattern:
    """One token/secret format; group ``secret`` is the value, ``variable`` an optional name."""

    id: str
    kind: str
    regex: re.Pattern[str]
    exclude: tuple[str, ...] = ()

    def applies_to(self, rel: str) -> bool:
        return not matches_any(rel, self.exclude)


@dataclass(frozen=True)
class Detectors:
    """Everything the secret and configuration detectors need, as data."""

    patterns: tuple[SecretPattern, ...]
    placeholder_exact: frozenset[str]
    placeholder_regex: re.Pattern[str]
    secret_name: re.Pattern[str]
    debug_names: frozenset[str]
    environment_names: frozenset[str]
    template_files: tuple[str, ...]
    documentation_files: tuple[str, ...] = ()
    config_files: dict[str, tuple[str, ...]] = field(default_factory=dict)
    skip_dirs: tuple[str, ...] = ()
    max_file_bytes: int = 1 << 20
    max_files: int = 20000

    def is_placeholder(self, value: str) -> bool:
        text = value.strip().strip("\"'").strip()
        return text.lower() in self.placeholder_exact or bool(self.placeholder_regex.match(text))

    def is_template(self, rel: str) -> bool:
        return matches_any(rel, self.template_files)

    def is_documentation(self, rel: str) -> bool:
        return matches_any(rel, self.documentation_files)

    def name_class(self, name: str) -> str | None:
        """``secret``, ``debug``, ``environment`` or None for names the probe does not record."""
        if name in self.debug_names or name.upper() in self.debug_names:
            return "debug"
        if name in self.environment_names or name.upper() in self.environment_names:
            return "environment"
        if self.secret_name.search(name):
            return "secret"
        return None

    def config_syntax(self, rel: str) -> str | None:
        """Which assignment syntax a file uses (``dotenv``, ``php``, ``python``), if any."""
        for syntax, globs in self.config_files.items():
            if matches_any(rel, globs):
                return syntax
        return None


def matches_any(rel: str, globs: tuple[str, ...]) -> bool:
    """Whether the file name (or the whole relative path) matches one of ``globs``."""
    name = PurePosixPath(rel).name
    return any(fnmatch.fnmatchcase(name, g) or fnmatch.fnmatchcase(rel, g) for g in globs)


def _tuple(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in (value or []))


def parse_detectors(raw: dict[str, Any]) -> Detectors:
    patterns = tuple(
        SecretPattern(str(p["id"]), str(p["kind"]), re.compile(p["regex"]), _tuple(p.get("exclude")))
        for p in raw["patterns"]
    )
    names = raw["names"]
    walk = raw.get("walk", {})
    return Detectors(
        patterns=patterns,
        placeholder_exact=frozenset(str(v).lower() for v in raw["placeholders"]["exact"]),
        placeholder_regex=re.compile(raw["placeholders"]["regex"], re.IGNORECASE),
        secret_name=re.compile(names["secret"]),
        debug_names=frozenset(names["debug"]),
        environment_names=frozenset(names["environment"]),
        template_files=_tuple(raw.get("template_files")),
        documentation_files=_tuple(raw.get("documentation_files")),
        config_files={k: _tuple(v) for k, v in raw.get("config_files", {}).items()},
        skip_dirs=_tuple(walk.get("skip_dirs")),
        max_file_bytes=int(walk.get("max_file_bytes", 1 << 20)),
        max_files=int(walk.get("max_files", 20000)),
    )


@lru_cache(maxsize=4)
def load_detectors(path: Path | None = None) -> Detectors:
    """Load and compile the detector data (cached)."""
    source = path or patterns_file()
    return parse_detectors(load_yaml(source.read_text(encoding="utf-8")))
