"""Column-name classification against ``data/column_names.yaml``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

from scanner.pii.types import ColumnNameHit, Sensitivity
from scanner.yamlio import load_yaml

DATA_FILE = Path(__file__).with_name("data") / "column_names.yaml"
_STRIP_PREFIXES = ("tbl_", "tb_", "t_", "m_", "fld_", "col_")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NON_WORD = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class _Entry:
    kind: str
    category: Sensitivity
    label_en: str
    label_id: str
    names: tuple[tuple[str, ...], ...]
    exact: frozenset[str]


@dataclass(frozen=True)
class _Dictionary:
    entries: tuple[_Entry, ...]
    ignore_suffixes: frozenset[str]
    ignore_prefixes: frozenset[str]


@lru_cache(maxsize=1)
def dictionary() -> _Dictionary:
    raw = cast(dict[str, Any], load_yaml(DATA_FILE.read_text(encoding="utf-8")))
    entries = tuple(
        _Entry(
            kind=e["kind"],
            category=e["category"],
            label_en=e.get("label", {}).get("en", ""),
            label_id=e.get("label", {}).get("id", ""),
            names=tuple(tuple(n.split("_")) for n in e.get("names", [])),
            exact=frozenset(e.get("exact", [])),
        )
        for e in raw["entries"]
    )
    return _Dictionary(entries, frozenset(raw.get("ignore_suffixes", [])), frozenset(raw.get("ignore_prefixes", [])))


def normalize(name: str) -> str:
    """``tbl_Pasien.noKTP`` -> ``no_ktp``: last qualifier, camelCase split, lower, ``_``."""
    name = name.strip().strip('`"[]').rsplit(".", 1)[-1].strip('`"[]')
    name = _CAMEL.sub("_", name).lower()
    name = _NON_WORD.sub("_", name).strip("_")
    for prefix in _STRIP_PREFIXES:
        if name.startswith(prefix) and len(name) > len(prefix):
            name = name[len(prefix) :]
            break
    return name


def _find(tokens: list[str], seq: tuple[str, ...]) -> int:
    n = len(seq)
    for i in range(len(tokens) - n + 1):
        if tuple(tokens[i : i + n]) == seq:
            return i
    return -1


def classify_column_name(name: str) -> ColumnNameHit | None:
    """Recognise a personal-data column name, or ``None``."""
    norm = normalize(name)
    if not norm:
        return None
    d = dictionary()
    joined = norm.replace("_", "")
    tokens = norm.split("_")
    best: tuple[int, _Entry, str, bool] | None = None
    for entry in d.entries:
        for exact in entry.exact:
            if norm == exact or joined == exact.replace("_", ""):
                score = 1000 + len(exact)
                if best is None or score > best[0]:
                    best = (score, entry, exact, True)
        for seq in entry.names:
            full = "_".join(seq)
            if norm == full or joined == full.replace("_", ""):
                score = 1000 + len(full)
                exact_hit = True
            else:
                pos = _find(tokens, seq)
                if pos < 0:
                    continue
                rest_after = tokens[pos + len(seq) :]
                rest_before = tokens[:pos]
                if rest_after and ("_".join(rest_after) in d.ignore_suffixes or rest_after[-1] in d.ignore_suffixes):
                    continue
                if rest_before and (rest_before[0] in d.ignore_prefixes or "_".join(rest_before) in d.ignore_prefixes):
                    continue
                score = len(full)
                exact_hit = False
            if best is None or score > best[0]:
                best = (score, entry, full, exact_hit)
    if best is None:
        return None
    _, entry, matched, exact_hit = best
    return ColumnNameHit(entry.kind, entry.category, norm, matched, exact_hit, entry.label_en, entry.label_id)
