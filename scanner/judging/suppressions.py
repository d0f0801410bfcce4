"""Suppressions: accepted risks with a reason, an owner and an expiry date.

A suppression matches a finding by fingerprint, or by rule id plus a target pattern
(glob). Suppressed findings stay in results with ``status: suppressed``; once a
suppression expires the finding is open again and says so. An entry naming a rule that does
not exist is an error (file and line); an entry that matched nothing is listed as stale.

Inline ``# nosec`` comments in source code are suppressions too, without reason, owner or
expiry: :func:`apply_inline` counts and lists them as suppressed (or leaves them open when the
profile sets ``ignore_inline_suppressions``).
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


STALE_KEY = "stale_suppressions"  # result.profile key: entries that matched no finding of the scan


@dataclass(frozen=True)
class Suppressions:
    entries: list[SuppressionSpec]
    source: str
    lines: tuple[int, ...] = ()  # the line of each entry in ``source`` (1-based; 0 when unknown)

    def where(self, index: int) -> str:
        line = self.lines[index] if index < len(self.lines) else 0
        return f"{self.source}:{line}" if line else f"{self.source}: suppressions[{index}]"

    def unknown_rules(self, rule_ids: set[str]) -> list[str]:
        """One line per entry naming a rule the rule set does not have (``file:line: ...``)."""
        return [f"{self.where(i)}: rule {e.rule!r} does not exist; see `pindai rules list` / aturan itu tidak ada"
                for i, e in enumerate(self.entries) if e.rule and e.rule not in rule_ids]

    def apply(self, result: ScanResult, today: date | None = None) -> ScanResult:
        """Mark matching findings suppressed; expired matches stay open and carry the expired entry.
        Entries that matched no finding are listed under ``result.profile[STALE_KEY]``."""
        today = today or date.today()
        findings = [self._apply_one(f, today) for f in result.findings]
        used = {i for i, e in enumerate(self.entries) for f in result.findings if e.matches(f)}
        stale = [{"source": self.where(i), "rule": e.rule, "fingerprint": e.fingerprint, "target": e.target,
                  "owner": e.owner} for i, e in enumerate(self.entries) if i not in used]
        return replace(result, findings=findings, profile={**result.profile, STALE_KEY: stale})

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


def inline_markers(result: ScanResult) -> dict[tuple[str, str], dict[str, Any]]:
    """(target id, item key) -> the bandit issue of each code finding whose line carries ``# nosec``."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for facts in result.facts:
        bandit = facts.data.get("bandit") if isinstance(facts.data, dict) else None  # only code facts have it
        for issue in (bandit or {}).get("issues", []) if isinstance(bandit, dict) else []:
            if isinstance(issue, dict) and issue.get("inline_suppression"):
                found[(facts.target_id, str(issue.get("key", "")))] = issue
    return found


def apply_inline(result: ScanResult, honour: bool = True) -> ScanResult:
    """Mark findings on ``# nosec`` lines suppressed, each saying where and that it has no reason,
    owner or expiry; with ``honour`` False (profile ``ignore_inline_suppressions``) they stay open
    and say that the marker was ignored."""
    markers = inline_markers(result)
    if not markers:
        return result

    def marked(finding: Finding) -> Finding:
        issue = markers.get((finding.target_id, finding.item_key))
        if issue is None or finding.status != "open" or finding.suppression:
            return finding
        where = f"{issue.get('file', '')}:{issue.get('line', '')}"
        info: dict[str, Any] = {
            "inline": True, "marker": issue["inline_suppression"], "source": where, "expired": False,
            "honoured": honour, "reason": f"inline {issue['inline_suppression']} at {where}, no reason/owner/expiry"
            + ("" if honour else " (ignored: ignore_inline_suppressions)"),
        }
        return replace(finding, status="suppressed" if honour else "open", suppression=info)

    return replace(result, findings=[marked(f) for f in result.findings])


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
    lines = _entry_lines(path)
    for index, item in enumerate(items):
        try:
            entries.append(SuppressionSpec.model_validate(item))
        except ValidationError as exc:
            for error in exc.errors():
                where = ".".join(str(p) for p in error["loc"])
                problems.append(f"{path}: suppressions[{index}]{'.' + where if where else ''}: {error['msg']}")
    if problems:
        raise SuppressionError("\n".join(problems))
    return Suppressions(entries, str(path), lines)


def _entry_lines(path: Path) -> tuple[int, ...]:
    """The 1-based line of each list entry (a top-level list, or the list under ``suppressions``)."""
    try:
        node = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (OSError, yaml.YAMLError):
        return ()
    if isinstance(node, yaml.MappingNode):
        node = next((v for k, v in node.value if getattr(k, "value", None) == "suppressions"), None)
    if not isinstance(node, yaml.SequenceNode):
        return ()
    return tuple(item.start_mark.line + 1 for item in node.value)
