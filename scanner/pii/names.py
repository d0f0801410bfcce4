"""Indonesian personal names recognised by value, with the lexicon in ``data/person_names.yaml``.

A value looks like a name when, after honorifics (``H.``, ``Hj.``, ``dr.``) and academic
degrees (``, S.Kom``) are set aside, it has 2-5 capitalised (or all-caps) alphabetic tokens,
none of them a decoy word (agencies, streets, places, products). It *is* a name when at least
one token is in the lexicon. A column is a name column when most values look like names and
enough of them carry a lexicon token (see :func:`name_share`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

from scanner.yamlio import load_yaml

DATA_FILE = Path(__file__).with_name("data") / "person_names.yaml"
_TOKEN = re.compile(r"^[A-Z][A-Za-z'\-]*\.?$|^[A-Z][A-Z'\-]+\.?$")
MAX_TOKENS = 5


@dataclass(frozen=True)
class _Lexicon:
    honorifics: frozenset[str]
    degrees: frozenset[str]
    names: frozenset[str]
    decoys: frozenset[str]


@lru_cache(maxsize=1)
def lexicon() -> _Lexicon:
    raw = cast(dict[str, Any], load_yaml(DATA_FILE.read_text(encoding="utf-8")))

    def words(key: str) -> frozenset[str]:
        return frozenset(str(w).lower() for w in raw.get(key, []))

    return _Lexicon(words("honorifics"), words("degrees"), words("given_names") | words("family_names"),
                    words("decoy_words"))


def _core_tokens(value: str) -> list[str] | None:
    """The name tokens of ``value`` without honorifics and degrees; ``None`` if not name-shaped."""
    lex = lexicon()
    head = value.split(",", 1)[0].strip()
    if "," in value:
        degrees = [d.strip().lower().rstrip(".") for d in value.split(",")[1:]]
        if not all(d.replace(" ", "") and d.replace(" ", "").rstrip(".") in lex.degrees for d in degrees):
            return None
    tokens = head.split()
    while tokens and tokens[0].lower().rstrip(".") in lex.honorifics and len(tokens) > 2:
        tokens = tokens[1:]
    if not 2 <= len(tokens) <= MAX_TOKENS:
        return None
    for t in tokens:
        if not _TOKEN.match(t) or t.lower().rstrip(".") in lex.decoys:
            return None
    return [t.lower().rstrip(".") for t in tokens]


def looks_like_name(value: str) -> bool:
    """Name-shaped (capitalised words, no decoy words), whether or not a token is in the lexicon."""
    return _core_tokens(value) is not None


def is_person_name(value: str) -> bool:
    """Name-shaped with at least one token from the lexicon."""
    tokens = _core_tokens(value)
    return tokens is not None and any(t in lexicon().names for t in tokens)


def name_share(values: Iterable[str]) -> tuple[float, float]:
    """(share of values shaped like names, share that also carry a lexicon token)."""
    shaped = known = total = 0
    names = lexicon().names
    for value in values:
        total += 1
        tokens = _core_tokens(value)
        if tokens is None:
            continue
        shaped += 1
        if any(t in names for t in tokens):
            known += 1
    return (shaped / total, known / total) if total else (0.0, 0.0)
