"""The judge: evaluate rules (CEL) over stored facts and produce findings.

The engine never talks to a target, so stored facts can be re-judged under new rules.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from scanner.judging import celext as cel
from scanner.judging.regulations import Applicability
from scanner.judging.rules import TEMPLATES, Rule, RuleSet, load_rules
from scanner.judging.scoring import priority
from scanner.model import Facts, Finding, RuleEvaluationError, Target
from scanner.pii import scrub

log = logging.getLogger(__name__)

_LEVELS = ("none", "general", "specific")
_CONFIDENCES = ("high", "medium", "low")
PARALLEL_MIN_OBSERVATIONS = 2000  # below this (about 4 s of judging), starting worker processes costs more
MAX_JUDGE_PROCESSES = 8


@dataclass
class Judgement:
    """Findings from one evaluation pass, plus rules that could not be evaluated."""

    findings: list[Finding] = field(default_factory=list)
    errors: list[RuleEvaluationError] = field(default_factory=list)
    evaluated_rules: set[str] = field(default_factory=set)
    applicable: dict[str, set[str]] = field(default_factory=dict)
    """rule id -> targets with a conclusive observation its ``applies_when`` accepted."""

    def applicable_lists(self) -> dict[str, list[str]]:
        """``applicable`` as sorted lists (what a ScanResult stores)."""
        return {rule: sorted(targets) for rule, targets in sorted(self.applicable.items())}


class _NotApplicable(Exception):
    """The rule's expression returned something that is neither a bool nor items."""


def _plain(value: Any) -> Any:
    """A CEL result as plain JSON data (timestamps, durations and bytes become strings)."""
    return json.loads(json.dumps(value, default=str))


def _offending_items(rule: Rule, activation: cel.Context) -> list[tuple[dict[str, Any], str]]:
    """Evaluate ``when`` and return (item, item_key) pairs for every offending item."""
    result = rule.when_program.execute(activation)
    if isinstance(result, bool):
        return [({}, "")] if result else []
    if isinstance(result, dict):
        result = [result]
    if not isinstance(result, list):
        raise _NotApplicable(f"'when' must return a bool or a list, got {type(result).__name__}")
    pairs: list[tuple[dict[str, Any], str]] = []
    for value in result:
        item = _plain(value)
        key = None if rule.key_program is None else str(_plain(rule.key_program.execute(cel.Context({"item": item}))))
        if not isinstance(item, dict):
            item = {"value": item}
        if key is None:
            key = hashlib.sha256(json.dumps(item, sort_keys=True).encode()).hexdigest()[:16]
        pairs.append((item, key))
    return pairs


@functools.lru_cache(maxsize=1024)
def _template(text: str) -> jinja2.Template:
    return TEMPLATES.from_string(text)


def _render(template: str, item: dict[str, Any], target: dict[str, Any]) -> str:
    return str(scrub(_template(template).render(item=item, target=target)))


def _finding(rule: Rule, target: Target, target_view: dict[str, Any], item: dict[str, Any], key: str,
             applicability: Applicability) -> Finding:
    spec = rule.spec
    sensitivity = item.get("sensitivity") if item.get("sensitivity") in _LEVELS else spec.sensitivity
    confidence = item.get("confidence") if item.get("confidence") in _CONFIDENCES else spec.confidence
    evidence = {k: item.get(k) for k in spec.evidence} if spec.evidence is not None else item
    return Finding(
        rule_id=spec.id,
        target_id=target.id,
        item_key=str(scrub(key)),
        severity=spec.severity,
        priority=priority(spec.severity, target.exposure.value, str(sensitivity), str(confidence)),
        title={"id": spec.title.id, "en": spec.title.en},
        message={lang: _render(getattr(spec.message, lang), item, target_view) for lang in ("id", "en")},
        evidence=scrub(evidence),
        references=applicability.cited_for(list(spec.references), str(sensitivity)),
        probe=spec.probe,
        agency=target.agency,
        sensitivity=str(sensitivity),
        confidence=str(confidence),
    )


MAX_REASON = 200


def failure_reason(exc: Exception) -> str:
    """Why a rule could not be evaluated, as one short line (not the evaluator's internals)."""
    first = exc.args[0] if exc.args else ""
    if isinstance(exc, KeyError):  # a fact the rule reads is absent from this observation
        return f"no such fact: {str(first)[:MAX_REASON]!r}"
    reason = " ".join(str(first).split()) if isinstance(first, str) and first.strip() else type(exc).__name__
    return reason if len(reason) <= MAX_REASON else reason[: MAX_REASON - 1] + "…"


def _activations(facts: list[Facts], targets: list[Target]) -> Iterator[tuple[Facts, Target, dict[str, Any],
                                                                              cel.Context]]:
    """Each conclusive observation of a known target, with the CEL activation its rules see."""
    by_id = {t.id: t for t in targets}
    for observation in facts:
        target = by_id.get(observation.target_id)
        if target is None or not observation.conclusive:
            continue
        target_view = target.to_dict()
        target_view.pop("password_env", None)
        # converted to CEL values once per observation, then shared by every rule of its probe
        activation = cel.Context({"facts": observation.data, "target": target_view})
        yield observation, target, target_view, activation


def applicable_targets(facts: list[Facts], targets: list[Target], ruleset: RuleSet) -> dict[str, set[str]]:
    """For each rule, the targets with a conclusive observation its ``applies_when`` accepts.

    A rule whose applicability cannot be evaluated on an observation (odd facts) does not apply
    there: the compliance view then says "not tested" rather than claiming a clean test.
    Used for results recorded before the judge stored where each rule applied.
    """
    applies: dict[str, set[str]] = {}
    for observation, target, _view, activation in _activations(facts, targets):
        for rule in ruleset.for_probe(observation.probe):
            if rule.applies_program is None or target.id in applies.get(rule.id, ()):
                continue
            try:
                if _applies(rule, activation):
                    applies.setdefault(rule.id, set()).add(target.id)
            except Exception:  # odd facts: the rule is not shown as applicable there
                continue
    return applies


def _applies(rule: Rule, activation: cel.Context) -> bool:
    """Whether the rule's ``applies_when`` holds on one observation (a rule without one always applies)."""
    return rule.applies_program is None or rule.applies_program.execute(activation) is True


def judge(facts: list[Facts], targets: list[Target], ruleset: RuleSet) -> Judgement:
    """Evaluate every applicable rule on every conclusive observation.

    Large batches (fleet scans) are spread over worker processes when the rule set can be
    reloaded from its source; CEL evaluation is pure computation, so this uses every core.
    """
    workers = min(os.cpu_count() or 1, MAX_JUDGE_PROCESSES)
    judgement = None
    if ruleset.source is not None and workers > 1 and len(facts) >= PARALLEL_MIN_OBSERVATIONS:
        try:
            judgement = _judge_in_processes(facts, targets, ruleset.source, workers)
        except (BrokenProcessPool, OSError) as exc:  # e.g. no importable __main__ for spawned workers
            log.warning("judging in worker processes failed (%s); judging in this process", exc)
    if judgement is None:
        judgement = _judge_serially(facts, targets, ruleset)
    judgement.findings.sort(key=lambda f: (-f.priority, f.rule_id, f.target_id, f.item_key))
    judgement.errors.sort(key=lambda e: (e.target_id, e.rule_id))
    return judgement


def _judge_in_processes(facts: list[Facts], targets: list[Target], source: tuple[Path, ...],
                        workers: int) -> Judgement:
    chunks = [facts[i::workers * 4] for i in range(workers * 4)]
    by_id = {t.id: t for t in targets}
    chunk_targets = [[by_id[i] for i in {f.target_id for f in chunk} if i in by_id] for chunk in chunks]
    merged = Judgement()
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                             initializer=_load_worker_rules, initargs=(source,)) as pool:
        for part in pool.map(_judge_chunk, chunks, chunk_targets):
            merged.findings.extend(part.findings)
            merged.errors.extend(part.errors)
            merged.evaluated_rules |= part.evaluated_rules
            for rule_id, applied in part.applicable.items():
                merged.applicable.setdefault(rule_id, set()).update(applied)
    return merged


_WORKER_RULES: RuleSet | None = None


def _load_worker_rules(source: tuple[Path, ...]) -> None:
    global _WORKER_RULES
    _WORKER_RULES = load_rules(source)


def _judge_chunk(facts: list[Facts], targets: list[Target]) -> Judgement:
    if _WORKER_RULES is None:
        raise RuntimeError("judging worker started without rules")
    return _judge_serially(facts, targets, _WORKER_RULES)


def _judge_serially(facts: list[Facts], targets: list[Target], ruleset: RuleSet) -> Judgement:
    """``applies_when`` first, recording where each rule applied; ``when`` only where it applies."""
    applicability = ruleset.regulations.applicability
    judgement = Judgement()
    for observation, target, target_view, activation in _activations(facts, targets):
        for rule in ruleset.for_probe(observation.probe):
            try:
                if not _applies(rule, activation):
                    judgement.evaluated_rules.add(rule.id)
                    continue
                if rule.applies_program is not None:
                    judgement.applicable.setdefault(rule.id, set()).add(target.id)
                pairs = _offending_items(rule, activation)
                found = [_finding(rule, target, target_view, item, key, applicability) for item, key in pairs]
            except Exception as exc:  # one rule failing on odd facts must not lose the scan's other findings
                judgement.errors.append(RuleEvaluationError(rule.id, target.id, failure_reason(exc)))
                continue
            judgement.evaluated_rules.add(rule.id)
            judgement.findings.extend(found)
    return judgement
