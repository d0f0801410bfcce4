"""Workpaper metadata of one scan (who ran it, under which authorisation, from where, how) and the
integrity value that ties a report to its result.

The record is kept in ``ScanResult.profile["audit"]``, so it travels with the JSON result and the
history store. ``result_digest`` is the SHA-256 of the result in a canonical JSON form (sorted keys,
no whitespace, ASCII escapes): the same scan gives the same value whatever file it was read back from.
"""

from __future__ import annotations

import hashlib
import json
import socket
from dataclasses import asdict
from typing import Any

from scanner.model import ScanResult
from scanner.running.politeness import PolitenessPolicy

DEFAULT_TIMEZONE = "Asia/Jakarta"


def audit_record(given: dict[str, Any], operator: str | None, authorisation: str | None,
                 probes: list[str], policy: PolitenessPolicy, authenticated: bool) -> dict[str, Any]:
    """What the workpaper says about the run: the profile's ``[audit]`` table, overridden by the CLI."""
    return {
        "operator": operator or str(given.get("operator", "")),
        "authorisation": authorisation or str(given.get("authorisation", "")),
        "unit": str(given.get("unit", "")),
        "timezone": str(given.get("timezone") or DEFAULT_TIMEZONE),
        "personal_data": given.get("personal_data"),
        "host": socket.gethostname(),
        "method": {"probes": probes, "authenticated": authenticated, **asdict(policy)},
    }


def audit_of(result: ScanResult) -> dict[str, Any]:
    """The scan's audit record (empty fields for scans made before it existed)."""
    record = result.profile.get("audit") if isinstance(result.profile, dict) else None
    return record if isinstance(record, dict) else {}


def declares_personal_data(result: ScanResult) -> bool:
    """The profile says the system processes personal data (``[audit] personal_data = true``)."""
    return audit_of(result).get("personal_data") is True


def timezone_of(result: ScanResult) -> str:
    return str(audit_of(result).get("timezone") or DEFAULT_TIMEZONE)


def canonical_json(result: ScanResult) -> bytes:
    return json.dumps(result.to_dict(), sort_keys=True, separators=(",", ":")).encode("ascii")


def result_digest(result: ScanResult) -> str:
    """SHA-256 (hex) of the result's canonical JSON form."""
    return hashlib.sha256(canonical_json(result)).hexdigest()
