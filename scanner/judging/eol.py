"""End-of-life lookups: which release cycle a version belongs to and when its security support
ends, from the shipped table ``rules/data/eol.yaml``, or the one ``pindai update`` refreshed in the
user's data directory.

The table is reference data, not a verdict: probes attach the lookup to a version they observed,
rules decide. Versions are matched to the longest cycle that is a dotted prefix (``7.4.33`` is in
cycle ``7.4``; ``14.5`` in ``14``; ``1.1.1w`` in ``1.1.1``).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from scanner.resources import rules_dir
from scanner.service.datadir import user_eol_table
from scanner.yamlio import load_yaml

log = logging.getLogger(__name__)
_NUMBERS = re.compile(r"\d+(?:\.\d+)*")
DISTRIBUTIONS = {"debian": "Debian", "ubuntu": "Ubuntu", "centos": "CentOS", "red hat": "Red Hat",
                  "rhel": "Red Hat", "el7": "Red Hat", "el8": "Red Hat", "el9": "Red Hat", "fedora": "Fedora",
                  "deb": "Debian", "raspbian": "Raspbian", "alpine": "Alpine", "suse": "SUSE", "fips": "FIPS build",
                  "amazon": "Amazon Linux", "almalinux": "AlmaLinux", "rocky": "Rocky Linux"}


def distribution_of(*parts: str) -> str | None:
    """The distribution that built a package, from markers such as ``(Debian)``, ``-4ubuntu2``,
    ``+deb12u1`` or ``-fips``: such builds get backported fixes without a new upstream number."""
    for part in parts:
        low = part.lower()
        for marker, name in DISTRIBUTIONS.items():
            if re.search(rf"(?<![a-z]){re.escape(marker)}", low):
                return name
    return None


def server_version_record(product: str, raw: str, where: str) -> dict[str, Any] | None:
    """A ``software`` record for a version a server reports about itself (``SELECT VERSION()``,
    ``SHOW server_version``): ``10.11.6-MariaDB-0+deb12u1``, ``15.5 (Debian 15.5-1.pgdg120+1)``."""
    match = _NUMBERS.match(raw.strip())
    if match is None:
        return None
    return {"product": product, "version": match.group(0), "seen_at": [where], "evidence": raw[:120],
            "confidence": "high", "distribution": distribution_of(raw[match.end():])}


@dataclass(frozen=True)
class Cycle:
    cycle: str
    security_until: dt.date | None  # None: no end announced (still supported)
    ended: bool  # support ended without a published date
    latest: str | None


@dataclass(frozen=True)
class Product:
    key: str
    name: str
    policy: str
    cycles: tuple[Cycle, ...]

    def cycle_of(self, version: str) -> Cycle | None:
        """The longest cycle that is a dotted prefix of ``version``'s numeric part."""
        numbers = _NUMBERS.match(version)
        if numbers is None:
            return None
        parts = numbers.group(0).split(".")
        best: Cycle | None = None
        for cycle in self.cycles:
            want = cycle.cycle.split(".")
            if parts[: len(want)] == want and (best is None or len(want) > len(best.cycle.split("."))):
                best = cycle
        return best

    def supported_cycles(self, on: dt.date) -> list[str]:
        return [c.cycle for c in self.cycles
                if not c.ended and (c.security_until is None or c.security_until >= on)]


@dataclass(frozen=True)
class EolTable:
    retrieved: dt.date
    source: str
    products: dict[str, Product]
    origin: str = "packaged"  # or "user": refreshed by ``pindai update``

    def age_days(self, on: dt.date) -> int:
        return (on - self.retrieved).days

    def lookup(self, product: str, version: str, on: dt.date) -> dict[str, Any] | None:
        """Support facts for ``product`` ``version`` on date ``on``; None if the table cannot say."""
        entry = self.products.get(product)
        cycle = entry.cycle_of(version) if entry else None
        if entry is None or cycle is None:
            return None
        days_past: int | None = None
        if cycle.ended:  # ended on no published date: known to be past, not by how much
            status, days_past = "ended", 0
        elif cycle.security_until is None:
            status = "supported"
        else:
            past = (on - cycle.security_until).days
            status, days_past = ("ended", past) if past > 0 else ("supported", None)
        upgrade = entry.supported_cycles(on)
        return {
            "cycle": cycle.cycle,
            "security_until": cycle.security_until.isoformat() if cycle.security_until else None,
            "status": status,
            "days_past_end": days_past,
            "latest_in_cycle": cycle.latest,
            "supported_cycles": upgrade[:3],
            "policy": entry.policy,
            "table_retrieved": self.retrieved.isoformat(),
        }


def _date(value: Any) -> dt.date | None:
    if value in (None, "", False, True):
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def parse_table(raw: dict[str, Any]) -> EolTable:
    """An :class:`EolTable` from the parsed YAML; raises ValueError on a malformed table."""
    try:
        products = {
            key: Product(key, str(spec["name"]), str(spec["policy"]), tuple(
                Cycle(str(c["cycle"]), _date(c.get("security_until")), bool(c.get("ended", False)),
                      str(c["latest"]) if c.get("latest") else None)
                for c in spec["cycles"]))
            for key, spec in raw["products"].items()
        }
        retrieved = _date(raw["retrieved"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"rules/data/eol.yaml is malformed: {exc}") from exc
    if retrieved is None:
        raise ValueError("rules/data/eol.yaml needs a 'retrieved' date")
    return EolTable(retrieved, str(raw.get("source", "")), products)


def table_path() -> Path:
    return rules_dir() / "data" / "eol.yaml"


@lru_cache(maxsize=1)
def load_table() -> EolTable:
    """The table ``pindai update`` wrote to the user's data directory, else the shipped one (loaded once)."""
    refreshed = user_eol_table()
    if refreshed.is_file():
        try:
            return replace(parse_table(load_yaml(refreshed.read_text(encoding="utf-8"))), origin="user")
        except (OSError, ValueError, yaml.YAMLError) as exc:
            log.warning("%s cannot be read (%s); using the packaged end-of-life table", refreshed, exc)
    return parse_table(load_yaml(table_path().read_text(encoding="utf-8")))


# key: (endoflife.date product slug, display name, the vendor's own support-policy page)
PRODUCTS: dict[str, tuple[str, str, str]] = {
    "php": ("php", "PHP", "https://www.php.net/supported-versions.php"),
    "wordpress": ("wordpress", "WordPress", "https://wordpress.org/about/security/"),
    "apache-httpd": ("apache-http-server", "Apache HTTP Server", "https://httpd.apache.org/download.cgi"),
    "nginx": ("nginx", "nginx", "https://nginx.org/en/download.html"),
    "openssl": ("openssl", "OpenSSL", "https://openssl-library.org/policies/releasestrat/"),
    "postgresql": ("postgresql", "PostgreSQL", "https://www.postgresql.org/support/versioning/"),
    "mariadb": ("mariadb", "MariaDB Server", "https://mariadb.org/about/#maintenance-policy"),
    "mysql": ("mysql", "MySQL", "https://www.oracle.com/us/support/library/lifetime-support-technology-069183.pdf"),
    "laravel": ("laravel", "Laravel", "https://laravel.com/docs/releases#support-policy"),
    "jquery": ("jquery", "jQuery", "https://github.com/jquery/jquery/wiki/jQuery-Core-Version-Support"),
    "python": ("python", "Python", "https://devguide.python.org/versions/"),
    "nodejs": ("nodejs", "Node.js", "https://nodejs.org/en/about/previous-releases"),
}
ENDOFLIFE_API = "https://endoflife.date/api/{slug}.json"


def table_from_endoflife(responses: dict[str, list[dict[str, Any]]], retrieved: dt.date) -> dict[str, Any]:
    """The eol.yaml document from endoflife.date API answers (``{key: [cycle, ...]}``).

    The API's ``eol`` is the end of security support (a date, ``true`` when it ended on no
    published date, ``false`` while no end is announced)."""
    products: dict[str, Any] = {}
    for key, (slug, name, policy) in PRODUCTS.items():
        cycles = []
        for item in responses[key]:
            eol = item.get("eol")
            cycle: dict[str, Any] = {"cycle": str(item["cycle"])}
            if isinstance(eol, str):
                cycle["security_until"] = eol
            elif eol is True:
                cycle["ended"] = True
            if item.get("latest"):
                cycle["latest"] = str(item["latest"])
            cycles.append(cycle)
        products[key] = {"name": name, "policy": policy, "data": ENDOFLIFE_API.format(slug=slug),
                         "cycles": cycles}
    document = {"retrieved": retrieved.isoformat(), "source": "https://endoflife.date", "products": products}
    parse_table(document)  # refuse to write a table the scanner could not read
    return document


def software_facts(records: list[dict[str, Any]], on: dt.date) -> dict[str, Any]:
    """The ``software`` facts of a probe: observed versions, each with its end-of-life lookup
    (``eol``: None when the table has no such product or cycle), and how old the table is."""
    table = load_table()
    for record in records:
        record["eol"] = table.lookup(str(record["product"]), str(record["version"]), on)
    return {"status": "ok", "observed_on": on.isoformat(),
            "eol_table": {"retrieved": table.retrieved.isoformat(), "age_days": table.age_days(on),
                          "source": table.source},
            "items": records}
