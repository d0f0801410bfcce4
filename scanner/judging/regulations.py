"""Regulation catalogues: articles of laws and standards that rules cite, loaded from data."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from scanner.errors import PindaiError
from scanner.resources import rules_dir
from scanner.yamlio import load_yaml


class CatalogueError(PindaiError):
    """A regulation catalogue file is malformed."""


# How an article's summary was checked (catalogue ``status``: V, V2, U).
SOURCE_STATUS = {"V": "verified", "V2": "secondary", "U": "unverified"}


@dataclass(frozen=True)
class Article:
    """One citable unit (pasal, ayat, requirement, control) with bilingual paraphrases.

    ``source`` says how the summary was checked: ``verified`` against the official text,
    ``secondary`` (a reliable derived source, e.g. the BSSN audit guide) or ``unverified``.
    ``interpretation`` holds Pindai's own reading where it goes beyond the text.
    """

    catalogue: str
    id: str
    title: dict[str, str]
    text: dict[str, str]
    source_url: str
    source: str = "unverified"
    interpretation: dict[str, str] = field(default_factory=dict)

    @property
    def ref(self) -> str:
        return f"{self.catalogue}:{self.id}"

    @property
    def verified(self) -> bool:
        return self.source == "verified"


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
    binding: bool = False
    """Binding law for the scanned (Indonesian) agency; False for voluntary standards and foreign law."""
    checked_against: dict[str, str] = field(default_factory=dict)
    """Which copy the "verified" summaries were checked against (never the gazette unless it says so)."""

    @property
    def foreign_law(self) -> bool:
        """Law of another jurisdiction (e.g. the EU's GDPR): binding there, not on Indonesian agencies."""
        return self.kind == "law" and self.jurisdiction not in ("", "ID")

    @property
    def precedence(self) -> tuple[int, int, str]:
        """Sort key: Indonesian binding texts first, by hierarchy of legislation, then the rest."""
        return (0 if self.jurisdiction == "ID" else 1, _KIND_ORDER.get(self.kind, len(_KIND_ORDER)), self.id)


# Hierarchy of Indonesian legislation (UU 12/2011 Pasal 7-8), then standards.
_KIND_ORDER = {"law": 0, "government-regulation": 1, "ministerial-regulation": 2, "agency-regulation": 3,
               "standard": 4}


FINDING_KINDS = ("vulnerability", "incident", "breach")
SENSITIVITIES = ("none", "general", "specific")
APPLICABILITY_FILE = "applicability.yaml"


def _covers(entry: str, ref: str) -> bool:
    """``uu-pdp-2022:46`` covers itself and its ayat and letters (``uu-pdp-2022:46(1)(a)``);
    ``uu-pdp-2022:*`` covers the whole catalogue."""
    if entry.endswith(":*"):
        return ref.startswith(entry[:-1])
    return ref == entry or ref.startswith(entry + "(")


@dataclass(frozen=True)
class Applicability:
    """Which articles a rule may cite, and when (rules/regulations/applicability.yaml)."""

    needs_finding_kind: dict[str, list[str]] = field(default_factory=dict)
    needs_sensitivity: dict[str, list[str]] = field(default_factory=dict)
    context: list[str] = field(default_factory=list)

    def is_context(self, ref: str) -> bool:
        """Not an obligation of the scanned agency (definitions, sanctions, criminal, transitional)."""
        return any(_covers(entry, ref) for entry in self.context)

    def finding_kind(self, ref: str) -> str:
        """The least a finding must show to cite ``ref``: vulnerability, incident or breach."""
        needed = [kind for kind, refs in self.needs_finding_kind.items() if any(_covers(e, ref) for e in refs)]
        return max(needed, key=FINDING_KINDS.index, default="vulnerability")

    def sensitivity(self, ref: str) -> str:
        """The least sensitivity of the data a finding saw for it to cite ``ref``."""
        needed = [level for level, refs in self.needs_sensitivity.items() if any(_covers(e, ref) for e in refs)]
        return max(needed, key=SENSITIVITIES.index, default="none")

    def all_refs(self) -> list[str]:
        lists = [*self.needs_finding_kind.values(), *self.needs_sensitivity.values(), self.context]
        return [ref for refs in lists for ref in refs]

    def cited_for(self, refs: list[str], sensitivity: str) -> list[str]:
        """The references a finding of ``sensitivity`` carries (drops e.g. Pasal 4(2) without specific data)."""
        level = SENSITIVITIES.index(sensitivity) if sensitivity in SENSITIVITIES else 0
        return [ref for ref in refs if SENSITIVITIES.index(self.sensitivity(ref)) <= level]


def load_applicability(path: Path) -> Applicability:
    """Load the article-applicability table, raising CatalogueError when it is malformed."""
    raw = load_yaml(path.read_text(encoding="utf-8")) if path.exists() else {}
    raw = raw or {}
    kinds = raw.get("needs_finding_kind", {}) or {}
    levels = raw.get("needs_sensitivity", {}) or {}
    if set(kinds) - set(FINDING_KINDS[1:]) or set(levels) - set(SENSITIVITIES[1:]):
        raise CatalogueError(f"{path}: needs_finding_kind keys are incident/breach, "
                             "needs_sensitivity keys are general/specific")
    return Applicability(
        needs_finding_kind={k: [str(r) for r in v] for k, v in kinds.items()},
        needs_sensitivity={k: [str(r) for r in v] for k, v in levels.items()},
        context=[str(r) for r in raw.get("context", []) or []],
    )


@dataclass(frozen=True)
class RegulationIndex:
    """All catalogues, addressable by ``catalogue:article`` references, in order of precedence."""

    catalogues: dict[str, Catalogue]
    applicability: Applicability = field(default_factory=Applicability)

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
            source=_source(item, where),
            interpretation=_bilingual(item["interpretation"], f"{where}: interpretation")
            if "interpretation" in item else {},
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
        binding=raw.get("binding") is True,
        checked_against=_bilingual(raw["checked_against"], f"{path}: checked_against")
        if "checked_against" in raw else {},
    )


def _source(item: dict[str, Any], where: str) -> str:
    status = str(item.get("status", "U"))
    if status not in SOURCE_STATUS:
        raise CatalogueError(f"{where}: status must be one of {', '.join(SOURCE_STATUS)}, not {status!r}")
    return SOURCE_STATUS[status]


def load_regulations(directory: Path | None = None) -> RegulationIndex:
    """Load every ``*.yaml`` catalogue in ``directory`` (default: the shipped rules/regulations)."""
    directory = directory or rules_dir() / "regulations"
    catalogues: dict[str, Catalogue] = {}
    for path in sorted(directory.glob("*.yaml")):
        if path.name == APPLICABILITY_FILE:
            continue
        catalogue = load_catalogue(path)
        if catalogue.id in catalogues:
            raise CatalogueError(f"{path}: catalogue id {catalogue.id!r} is defined twice")
        catalogues[catalogue.id] = catalogue
    ordered = sorted(catalogues.values(), key=lambda c: c.precedence)
    index = RegulationIndex({c.id: c for c in ordered}, load_applicability(directory / APPLICABILITY_FILE))
    unknown = [r for r in index.applicability.all_refs()
               if (r.partition(":")[0] not in index.catalogues if r.endswith(":*") else index.resolve(r) is None)]
    if unknown:
        raise CatalogueError(f"{directory / APPLICABILITY_FILE}: unknown articles {', '.join(unknown)}")
    return index
