"""Check the ``facts.…`` paths a rule reads against its probe's facts schema.

Expressions are parsed with cel-python's CEL grammar (a real parse tree, no regular expressions),
so a path is found wherever it sits: inside ``has()``, a macro or a ternary. Variables bound by
the list macros (``facts.protocols.exists(p, p.accepted)``) are checked against the list's items.
The schemas are ``docs/facts/<probe>.schema.json``, generated from each probe's facts model
(``ProbeSpec.facts``) by scripts/facts-schemas; their ``$ref``s are resolved when a schema is read.
An object schema with ``additionalProperties: true`` (an ``OpenFacts`` model) accepts any name
below its declared fields; one whose ``additionalProperties`` is a schema (a ``dict[str, X]``,
e.g. ``server_preference``) gives that schema for every name.
"""

from __future__ import annotations

import difflib
import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scanner.resources import facts_schemas_dir

MACROS = ("all", "exists", "exists_one", "filter", "map")
Schema = dict[str, Any]


@dataclass(frozen=True)
class UnknownPath:
    """A path the schema does not have: ``path`` as written, ``known`` the fields that exist there."""

    path: str
    known: tuple[str, ...]

    def __str__(self) -> str:
        name = self.path.rpartition(".")[2]
        close = difflib.get_close_matches(name, self.known, n=1)
        if close:
            return f"no such fact {self.path!r}; did you mean {close[0]!r}?"
        known = ", ".join(self.known[:12]) + (", …" if len(self.known) > 12 else "")
        return f"no such fact {self.path!r} (known here: {known})" if self.known else f"no such fact {self.path!r}"


@functools.cache
def facts_schema(probe: str, directory: Path | None = None) -> Schema | None:
    """The facts schema of ``probe``; None when there is none."""
    path = (directory or facts_schemas_dir()) / f"{probe}.schema.json"
    if not path.is_file():
        return None
    schema: Schema = json.loads(path.read_text(encoding="utf-8"))
    return _resolved(schema, schema.get("$defs", {}))


def _resolved(node: Any, defs: dict[str, Any], depth: int = 0) -> Any:
    """``node`` with every ``$ref`` to ``#/$defs/<name>`` replaced by that definition (recursion cut at depth 50)."""
    if isinstance(node, list):
        return [_resolved(item, defs, depth) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/") and depth < 50:
        target = defs.get(ref.removeprefix("#/$defs/"), {})
        rest = {k: v for k, v in node.items() if k != "$ref"}
        return _resolved({**target, **rest}, defs, depth + 1)
    return {k: _resolved(v, defs, depth) for k, v in node.items() if k != "$defs"}


@functools.cache
def _parser() -> Any:
    from celpy.celparser import CELParser  # lark grammar: built only when a pack is validated

    return CELParser()


def _alternatives(schema: Schema) -> list[Schema]:
    return [schema, *schema.get("anyOf", []), *schema.get("oneOf", [])]


def _field(schema: Schema, name: str) -> Schema | None:
    """The schema of ``name`` inside an object schema; ``{}`` (anything) when the schema is open."""
    alternatives = _alternatives(schema)
    objects = [s for s in alternatives if "properties" in s]
    for alternative in objects:
        if name in alternative["properties"]:
            return dict(alternative["properties"][name])
    for alternative in alternatives:
        extra = alternative.get("additionalProperties")
        if isinstance(extra, dict):
            return dict(extra)  # a mapping: every name has that schema
        if extra is True:
            return {}  # an open model: names beyond the declared ones are allowed
    if not objects:
        return {}  # no declared shape (a scalar, or anything): not ours to check
    return None


def _items(schema: Schema) -> Schema:
    for alternative in _alternatives(schema):
        if isinstance(alternative.get("items"), dict):
            return dict(alternative["items"])
    return {}


def _known(schema: Schema) -> tuple[str, ...]:
    return tuple(sorted({k for s in _alternatives(schema) for k in s.get("properties", {})}))


class _Checker:
    def __init__(self, root: Schema) -> None:
        self.root = root
        self.problems: list[UnknownPath] = []

    def resolve(self, node: Any, env: dict[str, Schema]) -> tuple[Schema, str] | None:
        """(schema, path text) of a member chain rooted at ``facts`` or a bound variable."""
        from lark import Token, Tree

        if not isinstance(node, Tree):
            return None
        if node.data in ("member", "primary", "expr", "conditionalor", "conditionaland", "relation",
                         "addition", "multiplication", "unary") and len(node.children) == 1:
            return self.resolve(node.children[0], env)
        if node.data == "ident" and isinstance(node.children[0], Token):
            name = str(node.children[0])
            if name == "facts":
                return self.root, "facts"
            return (env[name], name) if name in env else None
        if node.data == "member_dot":
            base = self.resolve(node.children[0], env)
            if base is None:
                return None
            schema, text = base
            name = str(node.children[1])
            found = _field(schema, name)
            if found is None:
                self.problems.append(UnknownPath(f"{text}.{name}", _known(schema)))
                return None
            return found, f"{text}.{name}"
        return None

    def walk(self, node: Any, env: dict[str, Schema]) -> None:
        from lark import Tree

        if not isinstance(node, Tree):
            return
        if node.data == "member_dot":
            if self.resolve(node, env) is None and not self._rooted(node):
                self.walk(node.children[0], env)
            return
        if node.data == "member_dot_arg":
            receiver, method, *rest = node.children
            self.walk(receiver, env)
            arguments = rest[0].children if rest and isinstance(rest[0], Tree) else []
            bound = dict(env)
            if str(method) in MACROS and arguments and (variable := self._ident(arguments[0])):
                resolved = self.resolve(receiver, env)
                bound[variable] = _items(resolved[0]) if resolved else {}
                arguments = arguments[1:]
            for argument in arguments:
                self.walk(argument, bound)
            return
        for child in node.children:
            self.walk(child, env)

    def _rooted(self, node: Any) -> bool:
        """Whether a member chain starts at ``facts`` (then resolve() has reported its problem)."""
        from lark import Tree

        while isinstance(node, Tree) and node.data in ("member_dot", "member", "primary"):
            node = node.children[0]
        return isinstance(node, Tree) and node.data == "ident" and str(node.children[0]) == "facts"

    @staticmethod
    def _ident(node: Any) -> str | None:
        from lark import Token, Tree

        while isinstance(node, Tree) and len(node.children) == 1:
            node = node.children[0]
            if isinstance(node, Tree) and node.data == "ident" and isinstance(node.children[0], Token):
                return str(node.children[0])
        return None


def unknown_paths(expression: str, schema: Schema, bound: dict[str, Schema] | None = None) -> list[UnknownPath]:
    """Every ``facts.…`` path in ``expression`` that ``schema`` does not have (first bad step each);
    ``bound`` gives the schema of other names (``item`` in an ``item_key``)."""
    checker = _Checker(schema)
    checker.walk(_parser().parse(expression), dict(bound or {}))
    seen: dict[str, UnknownPath] = {}
    for problem in checker.problems:
        seen.setdefault(problem.path, problem)
    return list(seen.values())


_WRAPPERS = ("expr", "conditionalor", "conditionaland", "relation", "addition", "multiplication", "unary",
             "member", "primary", "paren_expr")


def _unwrapped(node: Any) -> Any:
    from lark import Tree

    while isinstance(node, Tree) and node.data in _WRAPPERS and len(node.children) == 1:
        node = node.children[0]
    return node


def _list_items(node: Any, checker: _Checker) -> Schema | None:
    """The item schema of a list-valued expression: ``facts.a.b``, ``X.filter(...)``, ``[facts.a]``,
    ``c ? X : []``; None when the expression is anything else."""
    from lark import Tree

    node = _unwrapped(node)
    if not isinstance(node, Tree):
        return None
    if node.data == "expr" and len(node.children) == 3:  # c ? then : else
        return _list_items(node.children[1], checker) or _list_items(node.children[2], checker)
    if node.data == "member_dot_arg":
        return _list_items(node.children[0], checker) if str(node.children[1]) == "filter" else None
    if node.data == "list_lit":
        elements = node.children[0].children if node.children and isinstance(node.children[0], Tree) else []
        resolved = checker.resolve(_unwrapped(elements[0]), {}) if len(elements) == 1 else None
        return resolved[0] if resolved and resolved[0] else None
    if node.data == "member_dot":
        resolved = checker.resolve(node, {})
        return (_items(resolved[0]) or None) if resolved else None
    return None


def item_schema(when: str, schema: Schema) -> Schema | None:
    """The schema of the items ``when`` returns (what ``item`` is in the rule's ``item_key``) when the
    expression says it (``facts.….filter(...)``, ``c ? facts.… : []``, ``[facts.…]``); None otherwise."""
    return _list_items(_parser().parse(when), _Checker(schema))


def fact_areas(expression: str) -> tuple[str, ...]:
    """The names read right after ``facts.`` (and after ``facts.server.``), in order of first use.

    A lexical scan that skips string literals; cheap enough for rendering reports (the full
    parse above is for validation).
    """
    found: list[str] = []
    i, n = 0, len(expression)
    while i < n:
        char = expression[i]
        if char in "\"'":
            i = _string_end(expression, i)
            continue
        if (char.isalpha() or char == "_") and (i == 0 or not (expression[i - 1].isalnum()
                                                                 or expression[i - 1] in "_.")):
            j = i
            while j < n and (expression[j].isalnum() or expression[j] == "_"):
                j += 1
            if expression[i:j] == "facts":
                chain = _chain(expression, j)
                for name in chain[:2] if chain[:1] == ["server"] else chain[:1]:
                    if name not in found:
                        found.append(name)
            i = j
            continue
        i += 1
    return tuple(found)


def _string_end(text: str, start: int) -> int:
    quote, i = text[start], start + 1
    while i < len(text) and text[i] != quote:
        i += 2 if text[i] == "\\" else 1
    return i + 1


def _chain(text: str, i: int) -> list[str]:
    names: list[str] = []
    while i < len(text) and text[i] == ".":
        j = i + 1
        while j < len(text) and (text[j].isalnum() or text[j] == "_"):
            j += 1
        if j == i + 1:
            break
        names.append(text[i + 1:j])
        i = j
    return names


def unknown_fields(data: Any, schema: Schema, path: str = "facts") -> list[UnknownPath]:
    """Fields in ``data`` (facts written in a rule case or an example) that ``schema`` does not have."""
    problems: list[UnknownPath] = []
    if isinstance(data, dict):
        for key, value in data.items():
            found = _field(schema, str(key))
            if found is None:
                problems.append(UnknownPath(f"{path}.{key}", _known(schema)))
            else:
                problems += unknown_fields(value, found, f"{path}.{key}")
    elif isinstance(data, list):
        for index, value in enumerate(data):
            problems += unknown_fields(value, _items(schema), f"{path}[{index}]")
    return problems
