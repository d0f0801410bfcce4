"""Secret values and configuration settings in a tree's text files, masked for the facts."""

from __future__ import annotations

import re
from bisect import bisect_right

from scanner.pii import mask
from scanner.probes.code.assignments import Assignment, assignments
from scanner.probes.code.facts import SecretHit, Setting
from scanner.probes.code.patterns import Detectors
from scanner.probes.code.walk import SourceFile

_WHITESPACE = re.compile(r"\s+")


def mask_secret(value: str) -> str:
    """The masked form used in facts: at most 2 leading and 2 trailing characters."""
    return mask("secret", value)


def _line_of(starts: list[int], offset: int) -> int:
    return bisect_right(starts, offset)


def _kind_for_name(name: str) -> str:
    upper = name.upper()
    if upper == "APP_KEY":
        return "app_key"
    if "JWT" in upper:
        return "jwt_secret"
    if re.search(r"PASS|PWD", upper):
        return "password"
    if "TOKEN" in upper:
        return "token"
    return "secret"


def pattern_hits(source: SourceFile, detectors: Detectors) -> list[SecretHit]:
    """Matches of the token/secret patterns in one file."""
    template = detectors.is_template(source.rel)
    starts: list[int] = []  # line start offsets, computed on the first match
    hits: list[SecretHit] = []
    for pattern in detectors.patterns:
        if not pattern.applies_to(source.rel):
            continue
        for m in pattern.regex.finditer(source.text):
            if not starts:
                starts = [0] + [i + 1 for i, ch in enumerate(source.text) if ch == "\n"]
            secret = m.group("secret")
            value = _WHITESPACE.sub("", secret) if pattern.kind == "private_key" else secret
            variable = m.groupdict().get("variable")
            hits.append(
                SecretHit(
                    pattern=pattern.id,
                    kind=pattern.kind,
                    detector="pattern",
                    file=source.rel,
                    line=_line_of(starts, m.start()),
                    variable=variable.strip() if variable else None,
                    masked=mask_secret(value),
                    length=len(value),
                    form="literal",
                    placeholder=detectors.is_placeholder(value),
                    template=template,
                    documentation=detectors.is_documentation(source.rel),
                )
            )
    return hits


def _assignment_hit(source: SourceFile, a: Assignment, detectors: Detectors, template: bool) -> SecretHit:
    return SecretHit(
        pattern=a.syntax,
        kind=_kind_for_name(a.name),
        detector="assignment",
        file=source.rel,
        line=a.line,
        variable=a.name,
        masked=mask_secret(a.value),
        length=len(a.value),
        form="env_default" if a.form == "env_default" else "literal",
        placeholder=detectors.is_placeholder(a.value),
        template=template,
    )


def scan_file(source: SourceFile, detectors: Detectors) -> tuple[list[SecretHit], list[Setting]]:
    """Secrets (pattern matches and secret-named assignments) and settings of one file.

    A line reported by a pattern is not reported again as an assignment; the pattern hit
    borrows the assignment's variable name. Secret-named assignments in Python files are
    left to bandit (B105-B107), which reports them with context.
    """
    hits = pattern_hits(source, detectors)
    settings: list[Setting] = []
    syntax = detectors.config_syntax(source.rel)
    if syntax is None:
        return hits, settings
    template = detectors.is_template(source.rel)
    by_line = {h.line: h for h in hits}
    for a in assignments(syntax, source.text):
        if a.line in by_line and by_line[a.line].variable is None:
            by_line[a.line].variable = a.name
        name_class = detectors.name_class(a.name)
        if name_class is None:
            continue
        if name_class != "secret":
            if a.form == "literal":
                settings.append(Setting(file=source.rel, line=a.line, syntax=a.syntax, name=a.name,
                                        name_class=name_class, value=a.value, template=template))
            continue
        if syntax == "python" or a.form not in ("literal", "env_default"):
            continue
        if a.line in by_line:
            continue
        hit = _assignment_hit(source, a, detectors, template)
        hits.append(hit)
        by_line[a.line] = hit
    return hits, settings
