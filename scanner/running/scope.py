"""Scan scope: which hosts a scan may contact (profile allowlist)."""

from __future__ import annotations

import fnmatch
import ipaddress
from dataclasses import dataclass, field, replace

import idna


def ascii_host(name: str) -> str:
    """``name`` lower-cased, Unicode labels IDNA-encoded as requests encodes them (``*`` kept)."""
    if name.isascii():
        return name.lower()
    try:
        mapped = idna.uts46_remap(name, std3_rules=False, transitional=False)
        return ".".join(label if label.isascii() else idna.encode(label).decode() for label in mapped.split("."))
    except idna.IDNAError:
        return name.lower()


@dataclass(frozen=True)
class Scope:
    """Allowlist of host patterns (``*.contoh.go.id``), host names and CIDR ranges.

    An empty allowlist with ``allow_any`` unset permits nothing. ``limit`` is a second
    allowlist that must also permit the host (a distributed worker's own ``--scope``).
    """

    patterns: tuple[str, ...] = field(default_factory=tuple)
    allow_any: bool = False
    limit: Scope | None = None
    allow_private: bool = False  # names matched by a wildcard may resolve to private addresses (net.resolve)

    @classmethod
    def allow_all(cls) -> Scope:
        return cls(allow_any=True)

    def narrowed(self, allowlist: Scope) -> Scope:
        """This scope, further limited to the hosts ``allowlist`` permits."""
        return replace(self, limit=allowlist if self.limit is None else self.limit.narrowed(allowlist))

    def names(self, host: str) -> bool:
        """True when ``host`` is written out in the scope (not only matched by a wildcard or a range)."""
        host = ascii_host(host.strip("[]"))
        return any(ascii_host(p) == host for p in self.patterns) and (self.limit is None or self.limit.allows(host))

    def allows(self, host: str) -> bool:
        """True when ``host`` (name or IP literal) is inside the scope (and inside ``limit``)."""
        if self.limit is not None and not self.limit.allows(host):
            return False
        if self.allow_any:
            return True
        host = ascii_host(host.strip("[]"))
        for pattern in self.patterns:
            pattern = ascii_host(pattern)
            if "/" in pattern:
                try:
                    if ipaddress.ip_address(host) in ipaddress.ip_network(pattern, strict=False):
                        return True
                except ValueError:
                    continue
            elif fnmatch.fnmatchcase(host, pattern):
                return True
        return False
