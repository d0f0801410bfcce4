"""Suppressions: accepted risks with a reason, an owner and an expiry date.

A suppression matches a finding by fingerprint, or by rule id plus a target pattern
(glob). Suppressed findings stay in results with ``status: suppressed``; once a
suppression expires the finding is open again and says so.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from scanner.errors import PindaiError
from scanner.model import Finding, ScanResult
from scanner.yamlio import load_yaml


class SuppressionError(PindaiError):
    """A suppressions file that cannot be used; the message names the file and entry."""


class SuppressionSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    fingerprint: str = Field(default="", pattern=r"^([0-9a-f]{32})?$")
    rule: str = ""
    target: str = "*"
    reason: str = Field(min_length=3)
    owner: str = Field(min_length=1)
    expires: date

    @model_validator(mode="after")
    def _one_selector(self) -> SuppressionSpec:
        if bool(self.fingerprint) == bool(self.rule):
            raise ValueError("give either 'fingerprint' or 'rule' (with an optional 'target' pattern)")
        return self

    def matches(self, finding: Finding) -> bool:
        if self.fingerprint:
            return finding.fingerprint == self.fingerprint
        return finding.rule_id == self.rule and fnmatch.fnmatchcase(finding.target_id, self.target)


@dataclass(frozen=True)
class Suppressions:
    entries: list[SuppressionSpec]
    source: str

    def apply(self, result: ScanResult, today: date | None = None) -> ScanResult:
        """Mark matching findings suppressed; expired matches stay open and carry the expired entry."""
        today = today or date.today()
        findings = [self._apply_one(f, today) for f in result.findings]
        return replace(result, findings=findings)

    def _apply_one(self, finding: Finding, today: date) -> Finding:
        entry = next((e for e in self.entries if e.matches(finding)), None)
        if entry is None:
            return finding
        expired = entry.expires < today
        info: dict[str, Any] = {
            "reason": entry.reason, "owner": entry.owner, "expires": entry.expires.isoformat(),
            "expired": expired, "source": self.source,
        }
        return replace(finding, status="open" if expired else "suppressed", suppression=info)


def load_suppressions(path: Path) -> Suppressions:
    """Read a YAML list of suppressions (see docs/suppressions.md)."""
    try:
        raw = load_yaml(path.read_text(encoding="utf-8")) or []
    except (OSError, yaml.YAMLError) as exc:
        raise SuppressionError(f"{path}: cannot read suppressions: {exc}") from exc
    items = raw.get("suppressions") if isinstance(raw, dict) else raw
    if not isinstance(items, list):
        raise SuppressionError(f"{path}: expected a list under 'suppressions'")
    entries: list[SuppressionSpec] = []
    problems: list[str] = []
    for index, item in enumerate(items):
        try:
            entries.append(SuppressionSpec.model_validate(item))
        except ValidationError as exc:
            for error in exc.errors():
                where = ".".join(str(p) for p in error["loc"])
                problems.append(f"{path}: suppressions[{index}]{'.' + where if where else ''}: {error['msg']}")
    if problems:
        raise SuppressionError("\n".join(problems))
    return Suppressions(entries, str(path))
