"""A decoded view of hostile text that remembers where each character came from.

Targets spell personal values in many ways: ``pindai%40example.com``, ``&#64;``, ``[at]``,
fullwidth ``@``, fullwidth digits, NBSP or zero-width characters inside a NIK. :func:`decoded_view`
URL-decodes, HTML-unescapes, applies NFKC and turns ``[at]``/``[dot]`` into ``@``/``.``
(repeatedly, so double encodings are undone too) while keeping a position map, so that a value
found in the view can be masked in the ORIGINAL text (:meth:`MappedText.source_span`).

:func:`digit_groups` yields runs of digit groups separated by spaces, dots, dashes, slashes or
parentheses (``31.69.99.410790.9999``, ``(0812) 0000 0999``) for detectors that join them.
"""

from __future__ import annotations

import bisect
import html
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import unquote

_MAX_PASSES = 5  # a value percent-encoded four times is still found
_ZERO_WIDTH = frozenset("\u00ad\u180e\u200b\u200c\u200d\u2060\ufeff")
# format characters (LRM, RLM, U+2063, U+061C, bidi embeddings) and combining marks between digits
_INVISIBLE = frozenset({"Cf", "Mn"})
_ENCODED = re.compile(
    r"(?P<pct>(?:%[0-9A-Fa-f]{2})+)"
    r"|(?P<ent>&(?:#0*[0-9]{1,7}|#[xX]0*[0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});?)"  # browsers accept leading 0s
    r"|(?P<esc>\\u[0-9A-Fa-f]{4})"
    r"|(?P<at>[ \t]?[\[({<][ \t]?(?:at|AT|At|et|ET)[ \t]?[\])}>][ \t]?)"
    r"|(?P<dot>[ \t]?[\[({<][ \t]?(?:dot|DOT|Dot|titik|\.)[ \t]?[\])}>][ \t]?)"
    r"|(?P<wide>[^\x00-\x7f])"
)
_GROUP = re.compile(r"(?a)\+?\d+")
# separators a reader skips between digit groups: spaces, punctuation, dashes of every kind, middle dots
_GAP = r"[\s.\-()/_,:|\u00ad\u00b7\u2010-\u2015\u2027\u2212\u3001\u30fb\u200b\u200c\u200d\u2060\ufeff]{1,5}"
_GROUP_RUN = re.compile(rf"(?a)(?<!\d)\+?\d+(?:{_GAP}\+?\d+)+")


def _decoded(m: re.Match[str]) -> str:
    kind, raw = m.lastgroup, m.group(0)
    if kind == "pct":
        return unquote(raw, errors="replace")
    if kind == "ent":
        return html.unescape(raw)
    if kind == "esc":
        return chr(int(raw[2:], 16))
    if kind == "at":
        return "@"
    if kind == "dot":
        return "."
    if raw in _ZERO_WIDTH or unicodedata.category(raw) in _INVISIBLE:
        return ""
    digit = unicodedata.decimal(raw, None)  # Arabic-Indic, Devanagari, ... digits read as 0-9
    return str(digit) if digit is not None else unicodedata.normalize("NFKC", raw)


@dataclass(frozen=True)
class _Pass:
    """One rewrite: ``edits`` are (view_start, view_end, source_start, source_end), sorted."""

    edits: list[tuple[int, int, int, int]]

    def span(self, start: int, end: int) -> tuple[int, int]:
        return self._first(start), self._last(end - 1) if end > start else self._first(start)

    def _edit_at(self, i: int) -> tuple[int, int, int, int] | None:
        k = bisect.bisect_right(self.edits, (i, float("inf"))) - 1
        return self.edits[k] if k >= 0 else None

    def _first(self, i: int) -> int:
        edit = self._edit_at(i)
        if edit is None:
            return i
        _, ve, ss, se = edit
        return ss if i < ve else i - ve + se

    def _last(self, i: int) -> int:
        edit = self._edit_at(i)
        if edit is None:
            return i + 1
        _, ve, _, se = edit
        return se if i < ve else i - ve + se + 1


@dataclass(frozen=True)
class MappedText:
    """``text`` (the decoded view) and the passes that lead back to the original string."""

    text: str
    passes: tuple[_Pass, ...]

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """Span of the original string that the view's ``[start, end)`` was decoded from."""
        for p in reversed(self.passes):
            start, end = p.span(start, end)
        return start, end


def _rewrite(text: str) -> tuple[str, _Pass | None]:
    parts: list[str] = []
    edits: list[tuple[int, int, int, int]] = []
    pos = view = 0
    for m in _ENCODED.finditer(text):
        replacement = _decoded(m)
        if replacement == m.group(0):
            continue
        parts.append(text[pos : m.start()])
        view += m.start() - pos
        edits.append((view, view + len(replacement), m.start(), m.end()))
        parts.append(replacement)
        view += len(replacement)
        pos = m.end()
    if not edits:
        return text, None
    parts.append(text[pos:])
    return "".join(parts), _Pass(edits)


def decoded_view(text: str) -> MappedText:
    """URL-decoded, HTML-unescaped, NFKC view of ``text`` with a map back to it."""
    passes: list[_Pass] = []
    for _ in range(_MAX_PASSES):
        text, rewrite = _rewrite(text)
        if rewrite is None:
            break
        passes.append(rewrite)
    return MappedText(text, tuple(passes))


@dataclass(frozen=True)
class DigitGroups:
    """Consecutive digit groups: ``spans[i]`` is group i's span in the text, ``digits[i]`` its text."""

    spans: list[tuple[int, int]]
    digits: list[str]


def digit_groups(text: str) -> Iterator[DigitGroups]:
    """Runs of at least two digit groups joined by short separators (spaces, ``.-/()``, NBSP)."""
    for run in _GROUP_RUN.finditer(text):
        groups = list(_GROUP.finditer(text, run.start(), run.end()))
        yield DigitGroups([g.span() for g in groups], [g.group(0) for g in groups])
