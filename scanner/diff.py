"""Compare two scans by finding fingerprint: new, fixed, persisting and unverified findings."""

from __future__ import annotations

from dataclasses import dataclass, replace

from scanner.model import Finding, ScanResult


@dataclass(frozen=True)
class ScanDiff:
    new: list[Finding]
    fixed: list[Finding]
    persisting: list[Finding]
    unverified: list[Finding]
    """Earlier findings whose target and probe the later scan did not observe conclusively."""


def diff_scans(before: ScanResult, after: ScanResult) -> ScanDiff:
    """Open findings of ``after`` against ``before``; a finding is the same when its fingerprint is.

    An earlier finding counts as fixed only when the later scan observed the same target with
    the same probe; otherwise it is unverified (the target may simply have been unreachable).
    """
    old = {f.fingerprint: f for f in before.open_findings()}
    new = {f.fingerprint: f for f in after.open_findings()}
    observed = {(f.target_id, f.probe) for f in after.facts if f.conclusive}
    gone = [f for fp, f in old.items() if fp not in new]
    return ScanDiff(
        new=[f for fp, f in new.items() if fp not in old],
        fixed=[f for f in gone if (f.target_id, f.probe) in observed],
        persisting=[f for fp, f in new.items() if fp in old],
        unverified=[f for f in gone if (f.target_id, f.probe) not in observed],
    )


def with_baseline(result: ScanResult, fingerprints: set[str]) -> ScanResult:
    """Mark each finding ``new`` or ``known`` against the fingerprints of a ``--baseline`` result."""
    marked = [replace(f, baseline="known" if f.fingerprint in fingerprints else "new") for f in result.findings]
    return replace(result, findings=marked)
