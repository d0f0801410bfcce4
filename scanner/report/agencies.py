"""Per-agency (Perangkat Daerah) reports from one scan: split a result and write one HTML file per agency."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from scanner.judging.rules import RuleSet
from scanner.model import ScanResult
from scanner.report.common import UNASSIGNED, agency_of, slug, targets_by_id
from scanner.report.escape import encodable
from scanner.report.files import write_atomic


def split_by_agency(result: ScanResult) -> dict[str, ScanResult]:
    """One ScanResult per agency (key ``""`` for targets without one), same scan metadata.

    Targets, facts, findings, evaluation errors and where each rule applied are partitioned by the
    agency of their target; a finding's own ``agency`` wins when set.
    """
    targets = targets_by_id(result)
    agency_of_target = {t.id: t.agency or UNASSIGNED for t in result.targets}
    agencies = list(dict.fromkeys([*agency_of_target.values(), *(agency_of(f, targets) for f in result.findings)]))
    parts: dict[str, ScanResult] = {}
    for agency in agencies:
        ids = {tid for tid, a in agency_of_target.items() if a == agency}
        parts[agency] = replace(
            result,
            targets=[t for t in result.targets if t.id in ids],
            facts=[f for f in result.facts if f.target_id in ids],
            findings=[f for f in result.findings if agency_of(f, targets) == agency],
            evaluation_errors=[e for e in result.evaluation_errors if e.target_id in ids],
            applicable=None if result.applicable is None else  # where each rule applied: this agency's only
            {rule: [t for t in where if t in ids] for rule, where in result.applicable.items()},
            profile={**result.profile, "agency": agency},
        )
    return parts


def write_per_agency(result: ScanResult, ruleset: RuleSet, lang: str, directory: Path) -> list[Path]:
    """Write ``<directory>/<agency-slug>.html`` for every agency; return the written paths."""
    from scanner.report.html import render

    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    used: set[str] = set()
    for agency, part in split_by_agency(result).items():
        name = slug(agency)
        while name in used:
            name += "-x"
        used.add(name)
        path = directory / f"{name}.html"
        write_atomic(path, encodable(render(part, ruleset, lang)))
        written.append(path)
    return written
