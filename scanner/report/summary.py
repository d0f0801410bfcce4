"""Counts that several report formats share."""

from __future__ import annotations

from collections import Counter

from scanner.model import ScanResult, Severity


def severity_counts(result: ScanResult) -> dict[str, int]:
    """Open findings per severity, every severity present (most serious first)."""
    counts = Counter(f.severity for f in result.open_findings())
    return {s.value: counts.get(s, 0) for s in Severity}
