"""Credentials a profile names but the environment does not hold: an error before any scanning.

A target's ``password_env`` names an environment variable. Unset (or empty), the scan would log in
without a password and report "authentication failed" for every such target; under cron that is
the usual way a variable goes missing. The scan and the daemon stop first instead.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from scanner.extras import require_extras_for
from scanner.model import Target, TargetKind
from scanner.probes.base import Probe


class MissingCredential(ValueError):
    """One or more ``password_env`` variables are not set; the message names each (never a value)."""


def check_credentials(targets: list[Target]) -> None:
    """Raise :class:`MissingCredential` when a target's ``password_env`` variable is unset or empty."""
    missing = [t for t in targets if t.password_env and not t.password and not os.environ.get(t.password_env)]
    if missing:
        lines = [f"{t.declared_at or t.id}: password_env {t.password_env} is not set / variabel lingkungan "
                 f"{t.password_env} belum diisi" for t in missing]
        raise MissingCredential("; ".join(lines) + "; nothing was scanned / tidak ada yang dipindai")


def check_ready(targets: list[Target], probes: list[Probe], distributed: bool) -> None:
    """Before any traffic: the database targets the probes will scan have their driver extra
    (:class:`scanner.extras.MissingExtra`) and, unless a distributed worker reads them from its own
    environment, their ``password_env`` variables (:class:`MissingCredential`)."""
    databases = [t for t in targets if t.kind is TargetKind.DATABASE and any(p.applies_to(t) for p in probes)]
    require_extras_for([urlsplit(t.location).scheme.lower() for t in databases])
    if not distributed:
        check_credentials(databases)
