"""Evidence an auditor can read and reproduce: labelled, localised key/value lines with full (masked)
values, and the reproduction step each probe declares (``reproduce.py`` in its package: HTTP request
and response with a curl command, an ``openssl s_client`` command, the SQL query, or file:line).

Everything here comes from stored findings and facts; the target is hostile, so command lines
quote every value with :func:`shlex.quote` and renderers escape for their own format.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from scanner.judging.factpaths import fact_areas
from scanner.judging.rules import Rule
from scanner.model import Finding, Line, Reproduction, Target
from scanner.probes import specs
from scanner.report.common import scrub_line
from scanner.resources import templates_dir
from scanner.yamlio import load_yaml


@cache
def _labels() -> dict[str, Any]:
    data: dict[str, Any] = load_yaml((templates_dir() / "evidence.yaml").read_text(encoding="utf-8"))
    return data


def label(key: str, lang: str) -> str:
    """Localised label of an evidence key (``first_location`` -> "First redirect target" / "Alihan pertama")."""
    texts = _labels().get(key)
    if texts and not key.startswith("_"):
        return str(texts.get(lang) or texts["en"])
    return key.replace("_", " ").capitalize()


def _words(lang: str) -> dict[str, str]:
    return {word: str(texts.get(lang) or texts["en"]) for word, texts in _labels()["_values"].items()}


def value_text(value: Any, lang: str) -> str:
    """A full, readable value: no Python reprs, nothing cut off (personal data is masked)."""
    words = _words(lang)
    if value is None or value == "":
        return words["none"]
    if isinstance(value, bool):
        return words["yes"] if value else words["no"]
    if isinstance(value, dict):
        return "; ".join(f"{label(k, lang)}: {value_text(v, lang)}" for k, v in value.items()) or words["none"]
    if isinstance(value, list):
        if not value:
            return words["none"]
        if all(not isinstance(v, (dict, list)) for v in value):
            return ", ".join(value_text(v, lang) for v in value)
        return " | ".join(value_text(v, lang) for v in value)
    return str(value)


def evidence_lines(evidence: dict[str, Any], lang: str) -> list[Line]:
    """Evidence as labelled lines, scrubbed of personal data."""
    if not isinstance(evidence, dict):
        return [Line(label("value", lang), scrub_line(value_text(evidence, lang)))]
    return [Line(label(k, lang), scrub_line(value_text(v, lang))) for k, v in evidence.items()]


def evidence_summary(evidence: dict[str, Any], lang: str) -> str:
    """Evidence on one line for CSV, SARIF and JUnit: ``Label: value; Label: value``, nothing cut off."""
    return "; ".join(f"{line.label}: {line.value}" for line in evidence_lines(evidence, lang))


# --------------------------------------------------------------------------- reproduction


def reproduce(finding: Finding, target: Target | None, facts: dict[str, Any] | None,
              rule: Rule | None) -> Reproduction:
    """What the finding's probe says about repeating it (its spec's ``reproduce``); empty when nothing fits."""
    spec = specs().get(finding.probe)
    reproducer = spec.reproducer() if spec is not None and target is not None else None
    if reproducer is None or target is None:
        return Reproduction()
    return reproducer(finding, target, facts or {}, fact_areas(rule.spec.when) if rule else ())


def reproduction(finding: Finding, target: Target | None, facts: dict[str, Any] | None, rule: Rule | None,
                 s: dict[str, str]) -> list[Line]:
    """How an auditor repeats the observation behind ``finding``, labelled in the report's language."""
    return [Line(s[line.label] if line.label else "", scrub_line(line.value))
            for line in reproduce(finding, target, facts, rule).lines]


def as_json(lines: list[Line]) -> list[dict[str, str]]:
    """Lines as JSON-able objects (SARIF properties)."""
    return [{"label": line.label, "value": line.value} for line in lines]
