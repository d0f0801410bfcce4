"""Regulation catalogues: articles of laws and standards that rules cite, loaded from data."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from scanner.resources import rules_dir
from scanner.yamlio import load_yaml


class CatalogueError(Exception):
    """A regulation catalogue file is malformed."""


@dataclass(frozen=True)
class Article:
    """One citable unit (pasal, ayat, requirement, control) with bilingual paraphrases."""

    catalogue: str
    id: str
    title: dict[str, str]
    text: dict[str, str]
    source_url: str
    verified: bool

    @property
    def ref(self) -> str:
        return f"{self.catalogue}:{self.id}"


@dataclass(frozen=True)
class Catalogue:
    id: str
    short: str
    title: dict[str, str]
    source_url: str
    articles: dict[str, Article] = field(default_factory=dict)
    note: dict[str, str] = field(default_factory=dict)
    jurisdiction: str = ""
    kind: str = ""

    @property
    def precedence(self) -> tuple[int, int, str]:
        """Sort key: Indonesian binding texts first, by hierarchy of legislation, then the rest."""
        return (0 if self.jurisdiction == "ID" else 1, _KIND_ORDER.get(self.kind, len(_KIND_ORDER)), self.id)


# Hierarchy of Indonesian legislation (UU 12/2011 Pasal 7-8), then standards.
_KIND_ORDER = {"law": 0, "government-regulation": 1, "ministerial-regulation": 2, "agency-regulation": 3,
               "standard": 4}


@dataclass(frozen=True)
class RegulationIndex:
    """All catalogues, addressable by ``catalogue:article`` references, in order of precedence."""

    catalogues: dict[str, Catalogue]

    def resolve(self, ref: str) -> Article | None:
        catalogue_id, _, article_id = ref.partition(":")
        catalogue = self.catalogues.get(catalogue_id)
        return catalogue.articles.get(article_id) if catalogue else None

    def articles(self) -> list[Article]:
        return [a for c in self.catalogues.values() for a in c.articles.values()]


def _bilingual(raw: Any, where: str) -> dict[str, str]:
    if not isinstance(raw, dict) or not all(isinstance(raw.get(k), str) and raw[k] for k in ("id", "en")):
        raise CatalogueError(f"{where}: needs non-empty 'id' and 'en' texts")
    return {"id": raw["id"], "en": raw["en"]}


def load_catalogue(path: Path) -> Catalogue:
    """Load one catalogue file, raising CatalogueError with file and article on problems."""
    try:
        raw = load_yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise CatalogueError(f"{path}: invalid YAML: {exc}") from exc
    if not isinstance(raw, dict) or "id" not in raw or not isinstance(raw.get("articles"), list):
        raise CatalogueError(f"{path}: needs 'id' and a list of 'articles'")
    cat_id = str(raw["id"])
    articles: dict[str, Article] = {}
    for index, item in enumerate(raw["articles"]):
        where = f"{path}: articles[{index}]"
        if not isinstance(item, dict) or "id" not in item:
            raise CatalogueError(f"{where}: needs an 'id'")
        art_id = str(item["id"])
        where = f"{path}: article {art_id}"
        if art_id in articles:
            raise CatalogueError(f"{where}: duplicate article id")
        articles[art_id] = Article(
            catalogue=cat_id,
            id=art_id,
            title=_bilingual(item.get("title"), f"{where}: title"),
            text=_bilingual(item.get("text"), f"{where}: text"),
            source_url=str(item.get("source_url", raw.get("source_url", ""))),
            verified=bool(item.get("verified", False)),
        )
    return Catalogue(
        id=cat_id,
        short=str(raw.get("short", cat_id)),
        title=_bilingual(raw.get("title"), f"{path}: title"),
        source_url=str(raw.get("source_url", "")),
        articles=articles,
        note=raw["note"] if isinstance(raw.get("note"), dict) else {},
        jurisdiction=str(raw.get("jurisdiction", "")),
        kind=str(raw.get("kind", "")),
    )


def load_regulations(directory: Path | None = None) -> RegulationIndex:
    """Load every ``*.yaml`` catalogue in ``directory`` (default: the shipped rules/regulations)."""
    directory = directory or rules_dir() / "regulations"
    catalogues: dict[str, Catalogue] = {}
    for path in sorted(directory.glob("*.yaml")):
        catalogue = load_catalogue(path)
        if catalogue.id in catalogues:
            raise CatalogueError(f"{path}: catalogue id {catalogue.id!r} is defined twice")
        catalogues[catalogue.id] = catalogue
    ordered = sorted(catalogues.values(), key=lambda c: c.precedence)
    return RegulationIndex({c.id: c for c in ordered})
