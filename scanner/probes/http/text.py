"""The normalised reading of a page that signatures are matched against.

Real pages differ from the sentence a signature quotes: Django writes "You\u2019re" with a typographic
apostrophe and breaks the sentence across lines, Express indents stack frames with ``&nbsp;``,
templates escape quotes as entities. The reading decodes HTML entities, folds typographic quotes
and dashes to ASCII, and collapses every run of whitespace (including no-break spaces) to one space.
"""

from __future__ import annotations

import html
import re

_FOLD = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
                       "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
                       "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u00a0": " ", "\u202f": " "})
_SPACE = re.compile(r"\s+")


def normalised(text: str) -> str:
    """``text`` with entities decoded, typographic quotes folded and whitespace runs collapsed."""
    return _SPACE.sub(" ", html.unescape(text).translate(_FOLD))
