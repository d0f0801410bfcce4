"""The ``dependencies`` facts of the code probe: pinned package versions with known advisories
(OSV data fetched by ``pindai update``) and frameworks past their end of life (the EOL table).

No network request: without advisory data for an ecosystem its packages are listed as not tested.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from scanner.judging.advisories import SEVERITIES, Advisory, load_index, version_key
from scanner.judging.eol import load_table
from scanner.probes.base import SubStatus
from scanner.probes.code.lockfiles import LockfileError, Pinned, is_lockfile, pinned
from scanner.probes.code.readfile import read_regular
from scanner.probes.code.walk import Inventory

MAX_LOCKFILE_BYTES = 64 << 20  # lock files often exceed the probe's per-file cap; read them up to this
# packages whose version is a framework's or library's release in the EOL table
EOL_PACKAGES = {("Packagist", "laravel/framework"): "laravel", ("npm", "jquery"): "jquery",
                ("Packagist", "components/jquery"): "jquery"}


def _lockfile_texts(inventory: Inventory, root: Path) -> list[tuple[str, str]]:
    """(path, text) of every lock or requirements file, including those too large for the other checks."""
    texts = [(f.rel, f.text) for f in inventory.files if is_lockfile(f.rel)]
    for rel in inventory.skipped.get("too_large", []):
        if is_lockfile(rel):
            try:
                texts.append((rel, read_regular(root / rel, MAX_LOCKFILE_BYTES).decode("utf-8", "replace")))
            except OSError:
                continue
    return sorted(texts)


def _worst(advisories: list[Advisory]) -> str:
    for severity in SEVERITIES:
        if any(a.severity == severity for a in advisories):
            return severity
    return "unknown"


def _vulnerable(package: Pinned, advisories: list[Advisory]) -> dict[str, Any]:
    fixed = sorted({v for a in advisories for v in a.fixed_versions()
                    if not version_key(package.ecosystem, v) <= version_key(package.ecosystem, package.version)},
                   key=lambda v: version_key(package.ecosystem, v))
    return {"key": f"{package.file}:{package.name}@{package.version}", "ecosystem": package.ecosystem,
            "name": package.name, "version": package.version, "file": package.file,
            "advisories": sorted(a.id for a in advisories),
            "aliases": sorted({alias for a in advisories for alias in a.aliases}),
            "fixed": fixed[-1] if fixed else None, "fixed_versions": fixed,
            "severity": _worst(advisories), "summary": advisories[0].summary}


def dependency_facts(inventory: Inventory, root: Path, on: dt.date | None = None) -> dict[str, Any]:
    """Lock files read, advisory datasets used, vulnerable packages, end-of-life frameworks."""
    on = on or dt.date.today()
    lockfiles: list[dict[str, Any]] = []
    packages: list[Pinned] = []
    for rel, text in _lockfile_texts(inventory, root):
        try:
            found = pinned(rel, text)
        except LockfileError as exc:
            lockfiles.append({"file": rel, "status": SubStatus.INCONCLUSIVE, "reason": str(exc), "packages": 0})
            continue
        lockfiles.append({"file": rel, "status": SubStatus.OK, "packages": len(found)})
        packages.extend(found)
    ecosystems = sorted({p.ecosystem for p in packages})
    indexes = {eco: load_index(eco) for eco in ecosystems}
    vulnerable = []
    for package in packages:
        index = indexes[package.ecosystem]
        hits = index.matching(package.name, package.version) if index else []
        if hits:
            vulnerable.append(_vulnerable(package, hits))
    table = load_table()
    end_of_life = []
    for package in packages:
        product = EOL_PACKAGES.get((package.ecosystem, package.name.lower()))
        lookup = table.lookup(product, package.version, on) if product else None
        if product and lookup:
            end_of_life.append({"key": f"{package.file}:{package.name}@{package.version}", "product": product,
                                "name": table.products[product].name, "version": package.version,
                                "file": package.file, "eol": lookup})
    return {
        "lockfiles": lockfiles,
        "packages": len(packages),
        "ecosystems": ecosystems,
        "advisory_data": [i.summary(on) for i in indexes.values() if i is not None],
        "untested_ecosystems": [eco for eco, i in indexes.items() if i is None],
        "tested": any(i is not None for i in indexes.values()),
        "vulnerable": vulnerable,
        "end_of_life": end_of_life,
        "eol_table": {"retrieved": table.retrieved.isoformat(), "age_days": table.age_days(on),
                      "source": table.source},
    }
