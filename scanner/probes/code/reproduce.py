"""Where a code finding points: the file under the scanned tree and the line."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from scanner.model import Finding, Line, Reproduction, Target
from scanner.probes.base import evidence_line


def _scanned_file(target: Target, evidence: dict[str, Any]) -> str | None:
    """The scanned file (target root joined with ``evidence.file``); the target itself for a one-file scan."""
    file = evidence.get("file")
    if not isinstance(file, str) or not file:
        return None
    root = PurePosixPath(target.id)
    return target.id if root.name == file else str(root / file)


def reproduce(finding: Finding, target: Target, facts: dict[str, Any], areas: tuple[str, ...]) -> Reproduction:
    ev = finding.evidence if isinstance(finding.evidence, dict) else {}
    path = str(ev.get("file") or ev.get("path") or target.location)
    if path != target.location and not path.startswith("/"):
        path = f"{target.location.rstrip('/')}/{path}"
    line = ev.get("line")
    shown = f"{path}:{line}" if isinstance(line, int) else path
    file = _scanned_file(target, ev)
    return Reproduction([Line("repro_location", shown)], file=file, line=evidence_line(ev) if file else None)
