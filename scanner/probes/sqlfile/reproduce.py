"""Where a sqlfile finding points: the dump file and, when known, the line."""

from __future__ import annotations

from typing import Any

from scanner.model import Finding, Line, Reproduction, Target
from scanner.probes.base import evidence_line


def reproduce(finding: Finding, target: Target, facts: dict[str, Any], areas: tuple[str, ...]) -> Reproduction:
    ev = finding.evidence if isinstance(finding.evidence, dict) else {}
    path = str(ev.get("file") or ev.get("path") or target.location)
    line = ev.get("line")
    shown = f"{path}:{line}" if isinstance(line, int) else path
    return Reproduction([Line("repro_location", shown)], file=target.id, line=evidence_line(ev))
