"""Mask secrets (and personal data) in code snippets and tool messages before they become facts."""

from __future__ import annotations

import re

from scanner.pii import mask, scrub
from scanner.probes.code.patterns import Detectors

_STRING = re.compile(r"""(?P<q>\"\"\"|'''|"|')(?P<body>(?:\\.|(?!(?P=q)).)*)(?P=q)""")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _mask_strings(line: str) -> str:
    return _STRING.sub(lambda m: f"{m['q']}{mask('secret', m['body'])}{m['q']}" if m["body"] else m[0], line)


def _mask_pattern_values(line: str, detectors: Detectors) -> str:
    for pattern in detectors.patterns:
        line = pattern.regex.sub(
            lambda m: m[0][: m.start("secret") - m.start()]
            + mask("secret", m["secret"])
            + m[0][m.end("secret") - m.start() :],
            line,
        )
    return line


def redact_line(line: str, detectors: Detectors, *, force: bool = False) -> str:
    """Mask secret-pattern values; mask every string literal on lines that name a secret
    (or always, with ``force``, e.g. on a hard-coded-password line); then mask personal data."""
    line = _mask_pattern_values(line, detectors)
    if force or any(detectors.name_class(word) == "secret" for word in _IDENTIFIER.findall(line)):
        line = _mask_strings(line)
    return str(scrub(line))
