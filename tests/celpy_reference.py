"""The pure-Python CEL interpreter (celpy) as a reference judge for the Rust-backed ``cel`` engine.

The engine evaluated rules with celpy until the judge was made about 35x faster with the
``common-expression-language`` package; judging the same facts through both must give identical
findings. Used by tests/judging/test_engine_reference.py and bench/judge_cost.py.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import cel
import celpy
import celpy.adapter

from scanner.judging.rules import Rule, RuleSet

_ENV = celpy.Environment()


class CelpyProgram:
    """A compiled CEL expression with the ``execute(cel.Context)`` call of ``cel.Program``."""

    def __init__(self, expression: str) -> None:
        self._runner = _ENV.program(_ENV.compile(expression))

    def execute(self, context: cel.Context) -> Any:
        activation = {name: celpy.json_to_cel(value) for name, value in context.variables.items()}
        return json.loads(json.dumps(self._runner.evaluate(activation), cls=celpy.adapter.CELJSONEncoder))


def _reference_rule(rule: Rule) -> Rule:
    key = CelpyProgram(rule.spec.item_key) if rule.spec.item_key is not None else None
    return replace(rule, when_program=CelpyProgram(rule.spec.when), key_program=key)


def celpy_ruleset(ruleset: RuleSet) -> RuleSet:
    """The same rules, evaluated by celpy."""
    return replace(ruleset, rules=[_reference_rule(r) for r in ruleset.rules], source=None)
