"""Small lexing helpers for SQL dumps: value tuples, top-level commas, identifiers, COPY blocks."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+)")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$.]*")
_COPY = re.compile(r"^COPY\s+([^\s(]+)\s*(?:\(([^)]*)\))?\s+FROM\s+stdin;\s*$", re.I | re.M)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "\\": "\\", "'": "'", '"': '"', "b": "\b", "Z": "\x1a"}


@dataclass(frozen=True)
class Call:
    """A function call used as a value, e.g. ``md5('x')``; ``args`` are literal arguments."""

    name: str
    args: tuple[object, ...]


def unquote(identifier: str) -> str:
    """``"public"."pasien"`` / `` `pasien` `` / ``[pasien]`` -> ``public.pasien`` / ``pasien``."""
    parts = split_top(identifier.strip(), ".")
    return ".".join(p.strip().strip('`"[]') for p in parts)


def _structure(text: str, start: int = 0) -> Iterator[tuple[int, str, int]]:
    """Yield (index, character, depth after it) for every character outside quoted literals.

    Handles backslash escapes and doubled quotes (``'O''Brien'``) inside single-quoted strings;
    ``"`` and backtick identifiers are skipped whole. Depth counts open parentheses.
    """
    depth, quote, i = 0, "", start
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\" and quote == "'":
                i += 2
                continue
            if ch == quote:
                if quote == "'" and text[i + 1 : i + 2] == "'":
                    i += 2
                    continue
                quote = ""
        elif ch in "'\"`":
            quote = ch
        else:
            depth += 1 if ch == "(" else -1 if ch == ")" else 0
            yield i, ch, depth
        i += 1


def split_top(text: str, sep: str = ",") -> list[str]:
    """Split on ``sep`` outside quotes and parentheses."""
    out: list[str] = []
    start = 0
    for i, ch, depth in _structure(text):
        if ch == sep and depth == 0:
            out.append(text[start:i])
            start = i + 1
    out.append(text[start:])
    return [p for p in (s.strip() for s in out) if p]


def _string(text: str, i: int) -> tuple[str, int]:
    """Read a single-quoted literal starting at ``text[i] == "'"``; returns (value, next index)."""
    buf: list[str] = []
    i += 1
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            buf.append(_ESCAPES.get(text[i + 1], text[i + 1]))
            i += 2
            continue
        if ch == "'":
            if i + 1 < len(text) and text[i + 1] == "'":
                buf.append("'")
                i += 2
                continue
            return "".join(buf), i + 1
        buf.append(ch)
        i += 1
    return "".join(buf), i


def _skip_ws(text: str, i: int) -> int:
    while i < len(text) and text[i].isspace():
        i += 1
    return i


def _value(text: str, i: int) -> tuple[object, int]:
    """Read one value expression: literal, NULL, number, hex, function call or cast."""
    i = _skip_ws(text, i)
    if i >= len(text):
        return None, i
    ch = text[i]
    value: object
    if ch == "'":
        value, i = _string(text, i)
    elif ch in "xX" and text[i + 1 : i + 2] == "'":
        raw, i = _string(text, i + 1)
        value = _hex_bytes(raw)
    elif text.startswith(("0x", "0X"), i):
        m = re.compile(r"0[xX][0-9a-fA-F]*").match(text, i)
        assert m is not None
        value, i = _hex_bytes(m.group(0)[2:]), m.end()
    elif ch == "(":
        inner, i = _group(text, i)
        value = _value(inner, 0)[0]
    else:
        m = _NUMBER.match(text, i)
        w = _WORD.match(text, i)
        if m and (not w or (m.start() == i and text[i] in "+-.0123456789")):
            token = m.group(0)
            i = m.end()
            value = int(token) if re.fullmatch(r"[+-]?\d+", token) else token
        elif w:
            word = w.group(0)
            i = _skip_ws(text, w.end())
            if i < len(text) and text[i] == "(":
                inner, i = _group(text, i)
                value = Call(word.lower(), tuple(_values(inner)))
            elif word.upper() == "NULL":
                value = None
            elif word.upper() in ("TRUE", "FALSE"):
                value = word.upper() == "TRUE"
            elif word.startswith("_") and i < len(text) and text[i] in "'0xX":
                value, i = _value(text, i)  # charset introducer such as _binary 0x...
            else:
                value = word
        else:
            value, i = ch, i + 1
    i = _skip_ws(text, i)
    while text.startswith("::", i):  # PostgreSQL casts: 'x'::text
        w = _WORD.match(text, i + 2)
        i = _skip_ws(text, w.end() if w else i + 2)
    return value, i


def _hex_bytes(raw: str) -> object:
    try:
        return bytes.fromhex(raw)
    except ValueError:
        return raw


def _group(text: str, i: int) -> tuple[str, int]:
    """Text inside the parentheses starting at ``text[i] == "("`` and the index after ``)``."""
    for j, ch, depth in _structure(text, i):
        if ch == ")" and depth == 0:
            return text[i + 1 : j], j + 1
    return text[i + 1 :], len(text)


def _values(text: str) -> list[object]:
    out: list[object] = []
    i = 0
    while True:
        i = _skip_ws(text, i)
        if i >= len(text):
            return out
        value, i = _value(text, i)
        out.append(value)
        i = _skip_ws(text, i)
        if i < len(text) and text[i] == ",":
            i += 1
        elif i < len(text):
            i += 1  # tolerate unexpected tokens


def value_tuples(text: str, limit: int | None = None) -> list[list[object]]:
    """Parse ``(…), (…)`` after ``VALUES``; stops after ``limit`` tuples."""
    rows: list[list[object]] = []
    i = 0
    while i < len(text):
        i = _skip_ws(text, i)
        if i >= len(text) or text[i] != "(":
            break
        inner, i = _group(text, i)
        rows.append(_values(inner))
        if limit is not None and len(rows) >= limit:
            break
        i = _skip_ws(text, i)
        if i < len(text) and text[i] == ",":
            i += 1
    return rows


def _copy_field(field: str) -> str | None:
    if field == "\\N":
        return None
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), field)


@dataclass
class CopyBlock:
    """A pg_dump ``COPY … FROM stdin`` data block."""

    table: str
    columns: list[str]
    line: int
    rows: list[list[str | None]]
    row_count: int


def extract_copy_blocks(text: str, limit: int) -> tuple[str, list[CopyBlock]]:
    """Cut COPY data blocks out of ``text`` (blank lines keep line numbers); parse up to ``limit`` rows each."""
    blocks: list[CopyBlock] = []
    out: list[str] = []
    pos = 0
    for m in _COPY.finditer(text):
        if m.start() < pos:
            continue
        end = text.find("\n\\.", m.end())
        end = len(text) if end < 0 else end
        data = text[m.end() : end].strip("\n")
        lines = data.split("\n") if data else []
        rows = [[_copy_field(f) for f in line.split("\t")] for line in lines[:limit]]
        columns = [unquote(c) for c in split_top(m.group(2) or "")]
        line_no = text.count("\n", 0, m.start()) + 1
        blocks.append(CopyBlock(unquote(m.group(1)), columns, line_no, rows, len(lines)))
        out.append(text[pos : m.start()])
        out.append("\n" * text.count("\n", m.start(), end + 3))
        pos = min(len(text), end + 3)
    out.append(text[pos:])
    return "".join(out), blocks


_SPECIAL = re.compile(r"['\"`;]|--|/\*|\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$")


def _close_quote(text: str, i: int, quote: str) -> int:
    """Index just after the quote that closes the literal opened at ``text[i]``."""
    j = i + 1
    n = len(text)
    while j < n:
        k = text.find(quote, j)
        if k < 0:
            return n
        if quote == "'":
            backslashes = 0
            b = k - 1
            while b >= j and text[b] == "\\":
                backslashes += 1
                b -= 1
            if backslashes % 2:
                j = k + 1
                continue
        if k + 1 < n and text[k + 1] == quote:
            j = k + 2
            continue
        return k + 1
    return n


def split_statements(text: str) -> list[tuple[int, str]]:
    """Split SQL text on top-level ``;`` (quotes, comments and ``$$`` bodies respected).

    Much faster than ``sqlparse.split`` on large dumps; returns (start offset, statement).
    """
    out: list[tuple[int, str]] = []
    start = 0
    i = 0
    n = len(text)
    while i < n:
        m = _SPECIAL.search(text, i)
        if m is None:
            break
        token = m.group(0)
        if token == ";":
            out.append((start, text[start : m.end()]))
            start = i = m.end()
        elif token in ("'", '"', "`"):
            i = _close_quote(text, m.start(), token)
        elif token == "--":
            end = text.find("\n", m.end())
            i = n if end < 0 else end + 1
        elif token == "/*":
            end = text.find("*/", m.end())
            i = n if end < 0 else end + 2
        else:  # dollar-quoted body
            end = text.find(token, m.end())
            i = n if end < 0 else end + len(token)
    if text[start:].strip():
        out.append((start, text[start:]))
    return out


_LEADING_COMMENTS = re.compile(r"\A(?:\s+|--[^\n]*(?:\n|\Z)|/\*(?!!).*?\*/)*", re.S)


def strip_leading_comments(stmt: str) -> str:
    """Drop whitespace and comments before the first keyword (``/*!…*/`` hints are kept)."""
    return stmt[_LEADING_COMMENTS.match(stmt).end() :]  # type: ignore[union-attr]
