"""Check rules against their probe's facts: every ``facts.…`` path against the facts schema, and
every rule evaluated on example facts of its probe, so a rule that cannot be evaluated fails validation.

The examples (``docs/facts/examples/<probe>.json``, rebuilt by ``python -m fixtures.facts_examples``)
are real, masked observations of the bundled fixtures: a list of ``{"observed", "target", "facts"}``.
A rule whose condition raises on them (a misspelt field, a type mix-up) would raise on a real scan
too, where it could only be reported as a partial scan.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from scanner.engine import judge
from scanner.errors import Problem
from scanner.factpaths import facts_schema, item_schema, unknown_fields, unknown_paths
from scanner.model import Facts, Target
from scanner.resources import facts_examples_dir
from scanner.rules import RuleError, RuleSet

CHECKED_FIELDS = ("when", "applies_when", "item_key")


@dataclass(frozen=True)
class ExampleFailure(Problem):
    """One rule that could not be evaluated on one example observation."""

    rule_id: str
    example: str
    reason: str

    @property
    def where(self) -> str:
        return f"{self.rule_id}: cannot be evaluated on {self.example}"


def load_examples(probe: str, directory: Path | None = None) -> list[tuple[str, Target, Facts]]:
    """(label, target, facts) for each example observation of ``probe``; empty when there is no file."""
    path = (directory or facts_examples_dir()) / f"{probe}.json"
    if not path.is_file():
        return []
    loaded: list[tuple[str, Target, Facts]] = []
    for n, entry in enumerate(json.loads(path.read_text(encoding="utf-8"))):
        target = Target.from_dict(entry["target"])
        label = f"{path.name}#{n} ({entry.get('observed', '')})"
        loaded.append((label, target, Facts(probe=probe, target_id=target.id, data=entry["facts"])))
    return loaded


def example_failures(ruleset: RuleSet, directory: Path | None = None) -> tuple[list[ExampleFailure], list[str]]:
    """Rules that raise on their probe's examples, and the probes that have rules but no examples."""
    failures: list[ExampleFailure] = []
    missing: list[str] = []
    for probe in sorted({rule.spec.probe for rule in ruleset.rules}):
        examples = load_examples(probe, directory)
        if not examples:
            missing.append(probe)
        for label, target, facts in examples:
            failures += [ExampleFailure(e.rule_id, label, e.message)
                         for e in judge([facts], [target], ruleset).errors]
    return failures, missing


def path_problems(ruleset: RuleSet) -> list[RuleError]:
    """Each ``facts.…`` path a rule reads that its probe's facts schema does not have (also inside
    ``has()`` and macros, where evaluating on examples cannot see a misspelling)."""
    problems: list[RuleError] = []
    for rule in ruleset.rules:
        schema = facts_schema(rule.probe)
        if schema is None:
            continue
        item = item_schema(rule.spec.when, schema) if rule.spec.item_key else None
        for name in CHECKED_FIELDS:
            expression = getattr(rule.spec, name)
            if expression:
                bound = {"item": item} if name == "item_key" and item is not None else None
                problems += [RuleError(rule.file, rule.id, name, str(p))
                             for p in unknown_paths(expression, schema, bound)]
    return problems


def example_shape_problems(probes: set[str], directory: Path | None = None) -> list[str]:
    """Example facts with fields their probe's facts schema does not have (a stale or foreign example)."""
    problems: list[str] = []
    for probe in sorted(probes):
        schema = facts_schema(probe)
        if schema is None:
            continue
        for label, _target, facts in load_examples(probe, directory):
            problems += [f"{label}: {p}" for p in unknown_fields(facts.data, schema)]
    return problems
