"""The BSSN web-application control checklist (K1-K72), loaded from rules/regulations/controls/.

Each control names its Pasal 27 ayat/letter, the OWASP ASVS 4.0.3, WSTG and CWE/CAPEC ids the
guide prints, and how far a scan from outside can test it. Rules declare the controls they test
(``controls: [K43]``); :func:`control_problems` is what ``pindai rules validate`` checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from scanner.resources import rules_dir
from scanner.yamlio import load_yaml

CONTROLS_FILE = "bssn-web-k72.yaml"
OUTSIDE = ("full", "partial")


class ControlCatalogueError(Exception):
    """The control catalogue file is malformed."""


@dataclass(frozen=True)
class Control:
    """One control of the checklist (K1-K72)."""

    id: str
    article: str
    """Pasal 27 ayat and letter as the guide prints them, e.g. ``27(8)(a)``."""
    title: dict[str, str]
    asvs: tuple[str, ...] = ()
    wstg: tuple[str, ...] = ()
    cwe: tuple[str, ...] = ()
    outside: str = "partial"
    """``full`` when the rules that declare the control cover its whole procedure from outside."""

    @property
    def number(self) -> int:
        return int(self.id[1:])

    @property
    def ayat(self) -> int:
        return int(self.article.split("(")[1].rstrip(")"))

    @property
    def manual_test(self) -> str:
        """What the officer runs by hand: the WSTG test, else the ASVS requirement (the guide names no WSTG id)."""
        if self.wstg:
            return ", ".join(self.wstg)
        return ", ".join(f"ASVS {a}" for a in self.asvs)


@dataclass(frozen=True)
class ControlFunction:
    """One of the 13 functions (Pasal 27 ayat), holding controls ``first``..``last``."""

    ayat: int
    name: dict[str, str]
    first: int
    last: int


@dataclass(frozen=True)
class ControlCatalogue:
    """The checklist with its source (title, issuer, year, pages), labelled secondary."""

    id: str
    short: str
    regulation: str
    title: dict[str, str]
    source: dict[str, Any]
    functions: tuple[ControlFunction, ...]
    controls: dict[str, Control] = field(default_factory=dict)

    def function_of(self, control: Control) -> ControlFunction:
        return next(f for f in self.functions if f.first <= control.number <= f.last)

    def article_ref(self, control: Control) -> str:
        """The regulation catalogue reference of the control's article, e.g. ``bssn-4-2021:27(8)(a)``."""
        return f"{self.regulation}:{control.article}"


def _bilingual(raw: Any, where: str) -> dict[str, str]:
    if not isinstance(raw, dict) or not all(isinstance(raw.get(k), str) and raw[k] for k in ("id", "en")):
        raise ControlCatalogueError(f"{where}: needs non-empty 'id' and 'en' texts")
    return {"id": raw["id"], "en": raw["en"]}


def _control(item: Any, where: str) -> Control:
    if not isinstance(item, dict) or not isinstance(item.get("id"), str):
        raise ControlCatalogueError(f"{where}: needs an 'id'")
    where = f"{where} ({item['id']})"
    outside = str(item.get("outside", "partial"))
    if outside not in OUTSIDE:
        raise ControlCatalogueError(f"{where}: outside must be one of {', '.join(OUTSIDE)}")
    return Control(id=item["id"], article=str(item.get("article", "")), title=_bilingual(item.get("title"), where),
                   asvs=tuple(map(str, item.get("asvs") or [])), wstg=tuple(map(str, item.get("wstg") or [])),
                   cwe=tuple(map(str, item.get("cwe") or [])), outside=outside)


def load_controls(path: Path) -> ControlCatalogue:
    """Load and check the catalogue: 72 controls K1..K72 in order, each in one function."""
    try:
        raw = load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ControlCatalogueError(f"{path}: {exc}") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("controls"), list):
        raise ControlCatalogueError(f"{path}: needs a list of 'controls'")
    controls = [_control(item, f"{path}: controls[{n}]") for n, item in enumerate(raw["controls"])]
    expected = [f"K{n}" for n in range(1, len(controls) + 1)]
    if [c.id for c in controls] != expected:
        raise ControlCatalogueError(f"{path}: controls must be K1..K{len(controls)} in order, each once")
    functions = tuple(ControlFunction(int(f["ayat"]), _bilingual(f, f"{path}: function {f.get('ayat')}"),
                                      int(f["first"]), int(f["last"])) for f in raw.get("functions") or [])
    covered = sorted(n for f in functions for n in range(f.first, f.last + 1))
    if covered != list(range(1, len(controls) + 1)):
        raise ControlCatalogueError(f"{path}: functions must cover every control exactly once")
    for control in controls:
        if not control.article.startswith(f"27({control.ayat})") or control.ayat != next(
                f.ayat for f in functions if f.first <= control.number <= f.last):
            raise ControlCatalogueError(f"{path}: {control.id}: article {control.article} is not in its function")
    source: dict[str, Any] = raw["source"] if isinstance(raw.get("source"), dict) else {}
    return ControlCatalogue(id=str(raw.get("id", "")), short=str(raw.get("short", "")),
                            regulation=str(raw.get("regulation", "")), title=_bilingual(raw.get("title"), str(path)),
                            source=source, functions=functions, controls={c.id: c for c in controls})


@cache
def shipped_controls() -> ControlCatalogue:
    """The shipped checklist (rules/regulations/controls/bssn-web-k72.yaml), loaded once."""
    return load_controls(rules_dir() / "regulations" / "controls" / CONTROLS_FILE)


def control_problems(ids: list[str], catalogue: ControlCatalogue | None = None) -> list[str]:
    """Declared control ids that the checklist does not have, or that repeat."""
    known = (catalogue or shipped_controls()).controls
    problems = [f"unknown control {c!r} (the checklist has K1..K{len(known)})" for c in ids if c not in known]
    problems += [f"control {c!r} is listed twice" for c in sorted({c for c in ids if ids.count(c) > 1})]
    return problems
