"""Known-vulnerable package versions from OSV's per-ecosystem exports (https://osv.dev).

``pindai update`` turns an export (``<Ecosystem>/all.zip``: one OSV JSON record per advisory)
into a compact index in the user's data directory, dated; a scan only reads that index and
never goes to the network. Versions are compared the way each ecosystem orders them: PEP 440
for PyPI (``packaging``), Semantic Versioning for npm (``semver``), Composer's dotted numbers
for Packagist (PEP 440 ordering, which accepts ``v1.2.3``, four parts and ``-beta1``).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import semver
from packaging.version import InvalidVersion, Version

from scanner.service.datadir import advisories_dir

ECOSYSTEMS = ("Packagist", "npm", "PyPI")
OSV_EXPORT = "https://osv-vulnerabilities.storage.googleapis.com/{ecosystem}/all.zip"
SEVERITIES = ("critical", "high", "moderate", "low")
_NUMBERS = re.compile(r"\d+")


def package_key(ecosystem: str, name: str) -> str:
    """The name as the ecosystem compares it (PyPI: PEP 503 normalised; Packagist: lower case)."""
    if ecosystem == "PyPI":
        return re.sub(r"[-_.]+", "-", name).lower()
    return name.lower() if ecosystem == "Packagist" else name


def _loose(version: str) -> tuple[int, ...]:
    return tuple(int(n) for n in _NUMBERS.findall(version)[:6])


def version_key(ecosystem: str, version: str) -> Any:
    """A sort key for ``version`` in ``ecosystem``; unparseable versions fall back to their numbers."""
    text = version.strip()
    try:
        if ecosystem == "npm":
            return (1, semver.Version.parse(text.removeprefix("v")))
        return (1, Version(text))
    except (ValueError, InvalidVersion):
        return (0, _loose(text))


def _less(ecosystem: str, a: str, b: str) -> bool:
    ka, kb = version_key(ecosystem, a), version_key(ecosystem, b)
    if ka[0] != kb[0]:  # one side unparseable: compare numbers only
        return _loose(a) < _loose(b)
    return bool(ka < kb)


@dataclass(frozen=True)
class Advisory:
    id: str
    aliases: tuple[str, ...]
    summary: str
    severity: str  # critical, high, moderate, low or unknown
    ranges: tuple[tuple[tuple[str, str], ...], ...]  # each range: its events (kind, version) in order
    versions: frozenset[str]
    modified: str

    def affects(self, ecosystem: str, version: str) -> bool:
        if version in self.versions:
            return True
        return any(_in_range(ecosystem, version, events) for events in self.ranges)

    def fixed_versions(self) -> list[str]:
        return [v for events in self.ranges for kind, v in events if kind == "fixed"]


def _in_range(ecosystem: str, version: str, events: tuple[tuple[str, str], ...]) -> bool:
    """OSV ECOSYSTEM/SEMVER range semantics: affected from each ``introduced`` up to a ``fixed``
    (exclusive) or ``last_affected`` (inclusive)."""
    affected = False
    for kind, at in events:
        if kind == "introduced":
            affected = affected or at == "0" or not _less(ecosystem, version, at)
        elif affected and kind in ("fixed", "last_affected"):
            past = not _less(ecosystem, version, at) if kind == "fixed" else _less(ecosystem, at, version)
            affected = not past
    return affected


def _severity(record: dict[str, Any]) -> str:
    specific = record.get("database_specific") or {}
    value = str(specific.get("severity") or "").lower() if isinstance(specific, dict) else ""
    return value if value in SEVERITIES else "unknown"


def _entries(record: dict[str, Any], ecosystem: str) -> dict[str, dict[str, Any]]:
    """The compact advisory per package of ``ecosystem`` the record affects (its ranges merged)."""
    out: dict[str, dict[str, Any]] = {}
    for affected in record.get("affected") or []:
        package = affected.get("package") or {}
        if package.get("ecosystem") != ecosystem or not package.get("name"):
            continue
        entry = out.setdefault(package_key(ecosystem, str(package["name"])), {
            "id": str(record["id"]), "aliases": [str(a) for a in record.get("aliases") or []],
            "summary": str(record.get("summary") or "")[:300], "severity": _severity(record),
            "ranges": [], "versions": [], "modified": str(record.get("modified") or "")})
        entry["ranges"] += [[[kind, str(v)] for event in r.get("events") or [] for kind, v in event.items()]
                            for r in affected.get("ranges") or [] if r.get("type") in ("ECOSYSTEM", "SEMVER")]
        entry["versions"] += [str(v) for v in affected.get("versions") or []]
    return out


def index_from_export(export: Path, ecosystem: str, retrieved: dt.date) -> dict[str, Any]:
    """The compact index of an OSV export zip; raises ValueError when it is not one."""
    packages: dict[str, list[dict[str, Any]]] = {}
    newest = ""
    count = 0
    try:
        with zipfile.ZipFile(export) as archive:
            for member in archive.namelist():
                if not member.endswith(".json"):
                    continue
                record = json.loads(archive.read(member))
                if record.get("withdrawn"):
                    continue
                for key, entry in _entries(record, ecosystem).items():
                    packages.setdefault(key, []).append(entry)
                    newest = max(newest, entry["modified"])
                count += 1
    except (zipfile.BadZipFile, KeyError, TypeError, AttributeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{export.name} is not an OSV export of {ecosystem}: {exc}") from exc
    if count == 0:
        raise ValueError(f"{export.name} holds no OSV advisory")
    return {"ecosystem": ecosystem, "source": OSV_EXPORT.format(ecosystem=ecosystem),
            "retrieved": retrieved.isoformat(), "newest_advisory": newest[:10] or None,
            "advisories": count, "packages": packages}


def index_path(ecosystem: str) -> Path:
    return advisories_dir() / f"{ecosystem}.json"


@dataclass(frozen=True)
class AdvisoryIndex:
    ecosystem: str
    retrieved: dt.date
    newest_advisory: str | None
    count: int
    source: str
    packages: dict[str, tuple[Advisory, ...]]

    def matching(self, name: str, version: str) -> list[Advisory]:
        return [a for a in self.packages.get(package_key(self.ecosystem, name), ())
                if a.affects(self.ecosystem, version)]

    def summary(self, on: dt.date) -> dict[str, Any]:
        return {"ecosystem": self.ecosystem, "retrieved": self.retrieved.isoformat(),
                "age_days": (on - self.retrieved).days, "newest_advisory": self.newest_advisory,
                "advisories": self.count, "source": self.source}


def _advisory(entry: dict[str, Any]) -> Advisory:
    return Advisory(entry["id"], tuple(entry["aliases"]), entry["summary"], entry["severity"],
                    tuple(tuple((k, v) for k, v in r) for r in entry["ranges"]),
                    frozenset(entry["versions"]), entry["modified"])


@lru_cache(maxsize=len(ECOSYSTEMS))
def load_index(ecosystem: str) -> AdvisoryIndex | None:
    """The ecosystem's index from the user's data directory, or None when ``pindai update`` has
    not fetched it (or it cannot be read)."""
    try:
        raw = json.loads(index_path(ecosystem).read_text(encoding="utf-8"))
        return AdvisoryIndex(ecosystem, dt.date.fromisoformat(raw["retrieved"]), raw.get("newest_advisory"),
                             int(raw["advisories"]), str(raw.get("source", "")),
                             {k: tuple(_advisory(e) for e in v) for k, v in raw["packages"].items()})
    except (OSError, ValueError, KeyError, TypeError):
        return None
