"""Rule packs: loading ``rules/*.yaml``, validating them strictly, compiling their CEL.

A malformed rule is reported with its file, rule id and field, like a compiler error.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import jinja2
import yaml
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from scanner import __version__
from scanner.errors import PindaiError
from scanner.judging import celext as cel
from scanner.judging.controls import control_problems
from scanner.judging.regulations import FINDING_KINDS, RegulationIndex, load_regulations
from scanner.model import Severity
from scanner.resources import rules_dir
from scanner.yamlio import cache_dir, load_yaml

RULE_ID_PATTERN = r"^[A-Z][A-Z0-9]{1,15}-[A-Z]+-[0-9]{3}$"  # PND-… shipped; agencies use their own prefix

TEMPLATES = SandboxedEnvironment(autoescape=False, undefined=jinja2.ChainableUndefined)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Bilingual(_Strict):
    id: str = Field(min_length=1)
    en: str = Field(min_length=1)


class BilingualSteps(_Strict):
    id: list[str] = Field(min_length=1)
    en: list[str] = Field(min_length=1)


class RuleSpec(_Strict):
    """The schema of one rule, as written in a rule pack."""

    id: str = Field(pattern=RULE_ID_PATTERN)
    probe: str
    """Whose facts the rule reads: a registered probe (scanner.probes.REGISTRY); a pack may set it once."""
    severity: Severity
    title: Bilingual
    description: Bilingual
    when: str = Field(min_length=1)
    applies_when: str | None = Field(default=None, min_length=1)
    """CEL over one observation: does this rule's requirement apply to it (HSTS: an HTTPS response)?
    A rule without it never counts as having tested anything (the compliance view says "not tested")."""
    finding_kind: Literal["vulnerability", "incident", "breach"] = "vulnerability"
    item_key: str | None = None
    message: Bilingual
    remediation: BilingualSteps
    snippets: dict[str, str] = Field(default_factory=dict)
    references: list[str] = Field(min_length=1)
    controls: list[str] = Field(default_factory=list)
    """The BSSN web-application controls (K1-K72, rules/regulations/controls/) the rule tests."""
    sensitivity: Literal["none", "general", "specific"] = "none"
    confidence: Literal["high", "medium", "low"] = "high"
    evidence: list[str] | None = None
    tags: list[str] = Field(default_factory=list)

    @field_validator("probe")
    @classmethod
    def _known_probe(cls, name: str) -> str:
        from scanner.probes import probe_names

        if name not in probe_names():
            raise ValueError(f"unknown probe {name!r}; known: {', '.join(probe_names())}")
        return name

    @field_validator("references")
    @classmethod
    def _reference_shape(cls, refs: list[str]) -> list[str]:
        for ref in refs:
            if not re.fullmatch(r"[a-z0-9.\-]+:[A-Za-z0-9.()\-]+", ref):
                raise ValueError(f"{ref!r} is not of the form catalogue:article (e.g. uu-pdp-2022:35)")
        return refs


@dataclass(frozen=True)
class RuleError:
    """One problem in a rule pack."""

    file: str
    rule_id: str
    field: str
    message: str

    def __str__(self) -> str:
        rule = self.rule_id or "-"
        where = f"{self.file}: {rule}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class RuleValidationError(PindaiError):
    """Raised when one or more rule packs are invalid; ``errors`` lists every problem."""

    def __init__(self, errors: list[RuleError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


@dataclass(frozen=True)
class Rule:
    """A validated rule with its compiled CEL programs."""

    spec: RuleSpec
    file: str
    when_program: Any = field(repr=False, compare=False)
    key_program: Any = field(repr=False, compare=False)
    applies_program: Any = field(default=None, repr=False, compare=False)

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def probe(self) -> str:
        return self.spec.probe


@dataclass(frozen=True)
class RuleSet:
    """All loaded rules plus the regulation catalogues they cite."""

    rules: list[Rule]
    regulations: RegulationIndex
    version: str
    source: tuple[Path, ...] | None = None
    """Where the packs were loaded from, with the shipped catalogues; lets worker processes reload
    the same rules. None for rule sets built by hand or with other catalogues."""
    warnings: tuple[RuleError, ...] = ()
    """Accepted but worth fixing (an agency rule without English text)."""
    checks: dict[str, tuple[dict[str, Any], ...]] = field(default_factory=dict)
    """Checks the packs add for a probe to run (probe name -> validated checks, e.g. HTTP exposure checks)."""

    def by_id(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)

    def for_probe(self, probe: str) -> list[Rule]:
        return [r for r in self.rules if r.probe == probe]


def _compile(expression: str) -> Any:
    """Compile CEL with the Rust-backed ``cel`` package (about 35x faster to evaluate than celpy here)."""
    return cel.compile(expression)


def _field_path(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc)


def _validate_rule(
    raw: Any, file: str, index: int, regulations: RegulationIndex, check_templates: bool = True
) -> tuple[Rule | None, list[RuleError]]:
    rule_id = str(raw.get("id", f"rules[{index}]")) if isinstance(raw, dict) else f"rules[{index}]"
    if not isinstance(raw, dict):
        return None, [RuleError(file, rule_id, "", "a rule must be a mapping")]
    try:
        spec = RuleSpec.model_validate(raw)
    except ValidationError as exc:
        return None, [RuleError(file, rule_id, _field_path(e["loc"]), e["msg"]) for e in exc.errors()]
    errors: list[RuleError] = []
    programs: dict[str, Any] = {}
    for name in ("when", "applies_when", "item_key"):
        expression = getattr(spec, name)
        if expression is None:
            continue
        try:
            programs[name] = _compile(expression)
        except ValueError as exc:  # cel reports a syntax error as ValueError("Failed to parse expression ...")
            first_line = str(exc).splitlines()[0] if str(exc) else "syntax error"
            errors.append(RuleError(file, spec.id, name, f"CEL syntax error: {first_line}"))
    for lang in ("id", "en") if check_templates else ():
        try:
            TEMPLATES.parse(getattr(spec.message, lang))
        except jinja2.TemplateSyntaxError as exc:
            errors.append(RuleError(file, spec.id, f"message.{lang}", f"template error: {exc.message}"))
    errors.extend(RuleError(file, spec.id, "references", m) for m in _reference_problems(spec, regulations))
    errors.extend(RuleError(file, spec.id, "controls", m) for m in control_problems(spec.controls))
    if errors:
        return None, errors
    return Rule(spec=spec, file=file, when_program=programs["when"], key_program=programs.get("item_key"),
                applies_program=programs.get("applies_when")), []


def _reference_problems(spec: RuleSpec, regulations: RegulationIndex) -> list[str]:
    """References that do not exist, or that the applicability table forbids for this rule."""
    table = regulations.applicability
    problems = []
    for ref in spec.references:
        needed = table.finding_kind(ref)
        if regulations.resolve(ref) is None:
            problems.append(f"unknown regulation reference {ref!r}")
        elif table.is_context(ref):
            problems.append(f"{ref!r} is not an obligation of the scanned agency (context only, "
                            "rules/regulations/applicability.yaml)")
        elif FINDING_KINDS.index(needed) > FINDING_KINDS.index(spec.finding_kind):
            problems.append(f"{ref!r} applies only to a confirmed {needed}, not to a {spec.finding_kind} "
                            "(rules/regulations/applicability.yaml); name it as a conditional remediation step")
    return problems


LET_NAME = r"^[A-Z][A-Z0-9_]*$"
PACK_FIELDS = {"pack", "rules", "description", "applies_when", "probe", "let", "checks"}
_TEXT_FIELDS = ("title", "description", "message", "remediation")
_EXPRESSIONS = ("when", "applies_when", "item_key")


def _expand(expression: str, names: dict[str, str]) -> str:
    """``expression`` with each ``let`` name (an upper-case identifier outside string literals and
    not after a dot) replaced by its parenthesised definition."""
    out: list[str] = []
    i, n = 0, len(expression)
    while i < n:
        char = expression[i]
        if char in "\"'":
            end = i + 1
            while end < n and expression[end] != char:
                end += 2 if expression[end] == "\\" else 1
            out.append(expression[i:end + 1])
            i = end + 1
        elif char.isalpha() or char == "_":
            end = i
            while end < n and (expression[end].isalnum() or expression[end] == "_"):
                end += 1
            word = expression[i:end]
            after_dot = "".join(out).rstrip().endswith(".")
            out.append(f"({names[word]})" if word in names and not after_dot else word)
            i = end
        else:
            out.append(char)
            i += 1
    return "".join(out)


def _pack_lets(raw: dict[str, Any], file: str) -> tuple[dict[str, str], list[RuleError]]:
    """The pack's ``let`` block: named constants and predicates, each usable in later ones."""
    block = raw.get("let") or {}
    if not isinstance(block, dict):
        return {}, [RuleError(file, "", "let", "must map NAMES to CEL expressions")]
    names: dict[str, str] = {}
    errors: list[RuleError] = []
    for name, expression in block.items():
        if not isinstance(name, str) or not re.fullmatch(LET_NAME, name):
            errors.append(RuleError(file, "", f"let.{name}", "a name is upper-case letters, digits and _ "
                                                              "(e.g. ID_KINDS)"))
        elif not isinstance(expression, str) or not expression.strip():
            errors.append(RuleError(file, "", f"let.{name}", "must be a CEL expression"))
        else:
            names[name] = _expand(expression, names)
    return names, errors


def _with_pack_defaults(item: Any, raw: dict[str, Any], lets: dict[str, str], file: str
                        ) -> tuple[Any, list[RuleError]]:
    """A rule with its pack's defaults (``probe``, ``applies_when``), ``let`` names expanded, and,
    for an agency rule (not ``PND-``), Indonesian text standing in for missing English (a warning)."""
    if not isinstance(item, dict):
        return item, []
    item = {**{k: raw[k] for k in ("probe", "applies_when") if k in raw}, **item}
    for key in _EXPRESSIONS:
        if isinstance(item.get(key), str) and lets:
            item[key] = _expand(item[key], lets)
    warnings: list[RuleError] = []
    rule_id = str(item.get("id", ""))
    if rule_id.startswith("PND-"):
        return item, warnings
    for key in _TEXT_FIELDS:
        text = item.get(key)
        if isinstance(text, dict) and text.get("id") and not text.get("en"):
            item[key] = {**text, "en": text["id"]}
            warnings.append(RuleError(file, rule_id, f"{key}.en", "no English text; the Indonesian text is shown"))
    return item, warnings


def _item_lines(text: str, key: str) -> list[int]:
    """Line number of each item of the top-level list ``key`` (for errors that point into a pack)."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return []
    for name, value in getattr(node, "value", []):
        if getattr(name, "value", None) == key and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def _pack_checks(raw: dict[str, Any], text: str, file: str) -> tuple[str, list[dict[str, Any]], list[RuleError]]:
    """The pack's ``checks:`` validated by the format its probe declares: (probe, checks, errors)."""
    from scanner.probes import specs

    checks = raw.get("checks")
    if checks is None:
        return "", [], []
    spec = specs().get(str(raw.get("probe", "")))
    model = spec.checks_model() if spec is not None else None
    if spec is None or model is None:
        runs = ", ".join(s.name for s in specs().values() if s.checks is not None)
        return "", [], [RuleError(file, "", "checks", f"checks need a pack-level probe that runs them ({runs})")]
    if not isinstance(checks, list):
        return "", [], [RuleError(file, "", "checks", "must be a list")]
    lines = _item_lines(text, "checks")
    valid: list[dict[str, Any]] = []
    errors: list[RuleError] = []
    for index, item in enumerate(checks):
        where = f"{file}:{lines[index]}" if index < len(lines) else file
        try:
            checked = model.model_validate(item)
        except ValidationError as exc:
            errors += [RuleError(where, str(item.get("id", "")) if isinstance(item, dict) else "",
                                 f"checks[{index}].{_field_path(e['loc'])}", e["msg"]) for e in exc.errors()]
            continue
        valid.append(checked.model_dump(mode="json", by_alias=True, exclude_none=True))
    return spec.name, valid, errors


def _templates_checked(text: str) -> Path:
    """Marker file: this exact pack text had no template syntax error (parsing them costs start-up)."""
    key = hashlib.sha256(f"{jinja2.__version__}\n{text}".encode()).hexdigest()[:40]
    return cache_dir() / "templates-checked" / key


def _mark(marker: Path) -> None:
    try:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
    except OSError:  # no cache: the next start parses the templates again
        pass


def pack_files(path: Path) -> list[Path]:
    """The rule packs at ``path``: the file itself, or the ``*.yaml`` of a directory (not cases files)."""
    if path.is_file():
        return [path]
    return sorted(p for p in path.glob("*.yaml") if p.is_file() and not p.name.endswith(".cases.yaml"))


def load_rules(path: Path | Sequence[Path] | None = None, regulations: RegulationIndex | None = None) -> RuleSet:
    """Load and validate every rule pack under ``path``: a directory, one file, or several of them
    loaded together (rule ids must be unique across all). Default: the shipped packs.

    Raises RuleValidationError listing every problem found, not just the first.
    """
    paths = (rules_dir(),) if path is None else (path,) if isinstance(path, Path) else tuple(path)
    reloadable = regulations is None
    regulations = regulations or load_regulations()
    files = [file for each in paths for file in pack_files(each)]
    if not files:
        where = ", ".join(str(p) for p in paths)
        raise RuleValidationError([RuleError(where, "", "", "no rule packs (*.yaml) found")])
    rules: list[Rule] = []
    errors: list[RuleError] = []
    warnings: list[RuleError] = []
    found_checks: dict[str, list[dict[str, Any]]] = {}
    seen: dict[str, str] = {}
    digest = hashlib.sha256()
    for file in files:
        text = file.read_text(encoding="utf-8")
        digest.update(text.encode())
        name = str(file)
        try:
            raw = load_yaml(text)
        except yaml.YAMLError as exc:
            errors.append(RuleError(name, "", "", f"invalid YAML: {exc}"))
            continue
        if isinstance(raw, dict) and "checks" in raw and "rules" not in raw:
            raw = {**raw, "rules": []}  # a pack of checks only (its rules may sit in another pack)
        if not isinstance(raw, dict) or not isinstance(raw.get("rules"), list):
            errors.append(RuleError(name, "", "rules", "a rule pack needs 'pack' and a list of 'rules'"))
            continue
        unknown = set(raw) - PACK_FIELDS
        if unknown:
            errors.append(RuleError(name, "", ", ".join(sorted(unknown)), "unknown top-level field"))
        lets, let_errors = _pack_lets(raw, name)
        errors.extend(let_errors)
        checks_probe, checks, check_errors = _pack_checks(raw, text, name)
        errors.extend(check_errors)
        if checks:
            found_checks.setdefault(checks_probe, []).extend(checks)
        marker = _templates_checked(text)
        check_templates = not marker.exists()
        template_errors = 0
        for index, item in enumerate(raw["rules"]):
            item, advice = _with_pack_defaults(item, raw, lets, name)
            warnings.extend(advice)
            rule, problems = _validate_rule(item, name, index, regulations, check_templates)
            errors.extend(problems)
            template_errors += sum(1 for p in problems if p.field.startswith("message."))
            if rule is None:
                continue
            if rule.id in seen:
                errors.append(RuleError(name, rule.id, "id", f"duplicate rule id (also in {seen[rule.id]})"))
                continue
            seen[rule.id] = name
            rules.append(rule)
        if check_templates and not template_errors:
            _mark(marker)
    if errors:
        raise RuleValidationError(errors)
    version = f"{__version__}+{digest.hexdigest()[:12]}"
    return RuleSet(rules=rules, regulations=regulations, version=version, source=paths if reloadable else None,
                   warnings=tuple(warnings), checks={k: tuple(v) for k, v in found_checks.items()})
