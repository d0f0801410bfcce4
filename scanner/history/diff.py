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


def earlier_observations(scans: dict[str, ScanResult], chosen: dict[tuple[str, str], str]) -> ScanResult | None:
    """One result made of each (target, probe)'s earlier observation: ``chosen`` names the scan (in
    ``scans``) whose facts and findings stand for that pair. Trends compare a scan with this, so that
    every target is compared with its own previous observation by the same probe, never with an
    unrelated scan's targets. ``profile["compared_scans"]`` names the scans used, oldest first."""
    if not chosen:
        return None
    used = sorted((scans[sid] for sid in set(chosen.values())), key=lambda s: s.started_at)

    def picked(target_id: str, probe: str, scan_id: str) -> bool:
        return chosen.get((target_id, probe)) == scan_id

    targets = {t.id: t for s in used for t in s.targets if any(tid == t.id for tid, _ in chosen)}
    return ScanResult(
        scan_id="+".join(s.scan_id for s in used), started_at=used[0].started_at, finished_at=used[-1].finished_at,
        tool_version=used[-1].tool_version, rulepack_version=used[-1].rulepack_version, targets=list(targets.values()),
        facts=[f for s in used for f in s.facts if picked(f.target_id, f.probe, s.scan_id)],
        findings=[f for s in used for f in s.findings if picked(f.target_id, f.probe, s.scan_id)],
        profile={"compared_scans": [{"scan_id": s.scan_id, "started_at": s.started_at} for s in used]},
    )


def with_baseline(result: ScanResult, fingerprints: set[str]) -> ScanResult:
    """Mark each finding ``new`` or ``known`` against the fingerprints of a ``--baseline`` result."""
    marked = [replace(f, baseline="known" if f.fingerprint in fingerprints else "new") for f in result.findings]
    return replace(result, findings=marked)
