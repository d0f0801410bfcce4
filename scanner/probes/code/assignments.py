"""Configuration assignments in ``.env``, PHP and Python files (name, value, line, syntax).

Only the syntax is parsed here; which names matter is data (``names`` in
``rules/code/secret-patterns.yaml``). Values stay in memory: the probe masks secret ones
before they reach the facts.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass

_PHP_STR = r"'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\""
_PHP_SCALAR = rf"{_PHP_STR}|true|false|TRUE|FALSE|null|NULL|-?\d+"
_PY_STR = r"'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\""

_DOTENV = re.compile(r"^[ \t]*(?:export[ \t]+)?(?P<name>[A-Za-z_][A-Za-z0-9_.]*)[ \t]*=[ \t]*(?P<value>.*)$", re.M)
_PHP_DEFINE = re.compile(
    rf"\bdefine\s*\(\s*(['\"])(?P<name>[A-Za-z_]\w*)\1\s*,\s*(?P<value>{_PHP_SCALAR})\s*\)"
)
_PHP_INI_SET = re.compile(rf"\bini_set\s*\(\s*(['\"])(?P<name>\w+)\1\s*,\s*(?P<value>{_PHP_SCALAR})\s*\)")
_PHP_ENV_CALL = re.compile(
    rf"(['\"])(?P<name>[\w.\-]+)\1\s*=>\s*env\s*\(\s*(['\"])(?P<env>\w+)\3\s*(?:,\s*(?P<value>{_PHP_SCALAR})\s*)?\)"
)
_PHP_ARRAY = re.compile(rf"(['\"])(?P<name>[\w.\-]+)\1\s*=>\s*(?P<value>{_PHP_SCALAR})\s*(?=[,\)\]\n])")
_PHP_VAR = re.compile(
    rf"\$(?P<var>\w+)(?P<keys>(?:\[\s*['\"][\w.\-]+['\"]\s*\])*)\s*=\s*(?P<value>{_PHP_SCALAR})\s*;"
)
_PY_ASSIGN = re.compile(
    rf"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)[ \t]*=[ \t]*(?P<value>True|False|None|-?\d+|{_PY_STR})[ \t]*(?:#.*)?$", re.M
)
_PY_CONFIG = re.compile(
    rf"\.config\[\s*(['\"])(?P<name>\w+)\1\s*\]\s*=\s*(?P<value>True|False|None|-?\d+|{_PY_STR})"
)
_LAST_KEY = re.compile(r"\[\s*['\"]([\w.\-]+)['\"]\s*\]\s*$")


@dataclass(frozen=True)
class Assignment:
    """``name = value`` at ``line``; ``form`` is literal, empty, reference or env_default."""

    name: str
    value: str
    line: int
    syntax: str  # dotenv | php-define | php-array | php-variable | php-env-default | php-ini | python
    form: str


class _Lines:
    def __init__(self, text: str) -> None:
        self.starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]

    def line(self, offset: int) -> int:
        return bisect_right(self.starts, offset)


def _unquote(value: str) -> tuple[str, bool]:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1], True
    return value, False


def _php_form(raw: str) -> tuple[str, str]:
    value, quoted = _unquote(raw)
    if not quoted:
        return value, "empty" if value.lower() == "null" else "literal"
    if raw.startswith('"') and "$" in value:
        return value, "reference"
    return value, "literal" if value else "empty"


def _dotenv_value(raw: str) -> tuple[str, str]:
    raw = raw.strip()
    if raw[:1] in ("'", '"'):
        end = raw.find(raw[0], 1)
        value = raw[1:end] if end > 0 else raw[1:]
    else:
        value = re.split(r"\s+#", raw, maxsplit=1)[0].strip()
    if not value:
        return value, "empty"
    if re.match(r"^\$\{?[A-Za-z_]", value):
        return value, "reference"
    return value, "literal"


def dotenv(text: str) -> Iterator[Assignment]:
    lines = _Lines(text)
    for m in _DOTENV.finditer(text):
        value, form = _dotenv_value(m.group("value"))
        yield Assignment(m.group("name"), value, lines.line(m.start()), "dotenv", form)


def php(text: str) -> Iterator[Assignment]:
    lines = _Lines(text)
    seen: set[int] = set()
    for syntax, regex in (("php-define", _PHP_DEFINE), ("php-ini", _PHP_INI_SET)):
        for m in regex.finditer(text):
            value, form = _php_form(m.group("value"))
            yield Assignment(m.group("name"), value, lines.line(m.start()), syntax, form)
    for m in _PHP_ENV_CALL.finditer(text):
        seen.add(m.start())
        raw = m.group("value")
        value, form = _php_form(raw) if raw else ("", "empty")
        form = "env_default" if form == "literal" else "reference"
        yield Assignment(m.group("name"), value, lines.line(m.start()), "php-env-default", form)
    for m in _PHP_ARRAY.finditer(text):
        if m.start() in seen:
            continue
        value, form = _php_form(m.group("value"))
        yield Assignment(m.group("name"), value, lines.line(m.start()), "php-array", form)
    for m in _PHP_VAR.finditer(text):
        key = _LAST_KEY.search(m.group("keys"))
        name = key.group(1) if key else m.group("var")
        value, form = _php_form(m.group("value"))
        yield Assignment(name, value, lines.line(m.start()), "php-variable", form)


def python(text: str) -> Iterator[Assignment]:
    lines = _Lines(text)
    for regex in (_PY_ASSIGN, _PY_CONFIG):
        for m in regex.finditer(text):
            value, quoted = _unquote(m.group("value"))
            form = "empty" if (quoted and not value) or value == "None" else "literal"
            yield Assignment(m.group("name"), value, lines.line(m.start()), "python", form)


PARSERS = {"dotenv": dotenv, "php": php, "python": python}


def assignments(syntax: str, text: str) -> list[Assignment]:
    """Every recognisable assignment of a file in ``syntax`` (dotenv, php, python)."""
    parser = PARSERS.get(syntax)
    return sorted(parser(text), key=lambda a: (a.line, a.name)) if parser else []
