"""Typed facts: what every probe's facts model (``scanner/probes/<probe>/facts.py``) is built from.

A probe still returns plain JSON data; its facts model (``ProbeSpec.facts``) describes that data
field by field. The model is the contract between a probe and the rules that read its facts:

* ``docs/facts/<probe>.schema.json`` is generated from it (``scripts/facts-schemas``), and
  ``pindai rules validate`` checks every ``facts.…`` path a rule reads against that schema;
* the runner validates each observation against it (:func:`check_facts`); facts that do not fit
  are kept, logged and said aloud as a coverage note (``facts_model``), never a crash;
* the tests validate the example, demo and fleet facts and every probe test's facts against it.

Models are closed (``extra="forbid"``): a field a probe adds must be declared. :class:`OpenFacts`
is the documented exception for sub-structures whose keys are not ours to fix (none is read by a
shipped rule below its declared fields).

Sub-models shared by more than one probe live here, so that no probe imports another.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from scanner.model import COVERAGE_KEY
from scanner.probes.base import SubStatus

FACTS_NOTE = "facts_model"
"""Coverage code of an observation whose facts do not fit the probe's facts model."""


class FactsModel(BaseModel):
    """Base of every facts model: closed, so an undeclared field is an error in tests."""

    model_config = ConfigDict(extra="forbid")


class OpenFacts(FactsModel):
    """A sub-structure that may carry keys beyond the declared ones (``additionalProperties``):
    used only where the keys come from outside (a target's document) and no rule reads them."""

    model_config = ConfigDict(extra="allow")


class SubCheck(FactsModel):
    """One sub-check's record: its ``status`` in the one vocabulary (:class:`SubStatus`), and a
    ``reason`` when it is not ``ok``. The other fields of a sub-check are present when it is ``ok``."""

    status: SubStatus
    reason: str | None = Field(default=None, description="why the sub-check is not ok (empty or absent when ok)")


class CoverageLimitFact(FactsModel):
    """A cap that cut the observation short (``scanner.probes.base.record_limit``)."""

    code: str = Field(description="the cap; reports show the localised `limit_<code>` sentence")
    limit: int = Field(description="the cap in force")
    total: int | None = Field(default=None, description="how much there was, when known")


class ProbeFacts(FactsModel):
    """Fields any probe's facts may carry at the top level."""

    coverage_limits: list[CoverageLimitFact] | None = Field(
        default=None, description="caps that cut the observation short: the observation is partial")


class Bilingual(FactsModel):
    """A text in Indonesian (``id``) and English (``en``)."""

    id: str
    en: str


# -- personal-data columns: the database and sqlfile probes (scanner.pii.column_facts) -------------------

class ColumnProtection(FactsModel):
    """How a column's sampled values are stored (``scanner.pii.classify_protection``)."""

    state: str = Field(description="`plaintext`, `hashed-weak`, `hashed-strong`, `encrypted`, `tokenised`, "
                                   "`masked`, `unknown`, `not-sampled`, ...")
    scheme: str = Field(description="the scheme recognised (`bcrypt`, `md5`, `sql:aes_encrypt`, ...) or empty")
    evidence: Bilingual
    ratio: float | None = Field(default=None, description="share of the sampled values in that state")
    distinct_ratio: float | None = None
    deterministic: bool | None = None
    work_factor: int | None = None
    input_in_file: bool | None = Field(
        default=None, description="sqlfile: the input of a hashing/encrypting SQL call is written in the file")


class ColumnRefFacts(FactsModel):
    key: str = Field(description="`table.column`: the item key of column findings")
    table: str
    column: str
    type: str = ""
    line: int | None = Field(default=None, description="sqlfile: line of the data (or of the definition)")
    carried_forward: bool | None = Field(
        default=None, description="database, --changed-only: the column is unchanged and this item comes from "
                                  "the scan `carried_from`")
    carried_from: str | None = None


class EmbeddedData(FactsModel):
    """Personal data found inside a free-text column's values."""

    share: float
    kinds: list[str]


class PersonalColumn(ColumnRefFacts):
    """A column holding personal data (``scanner.pii.column_facts.column_facts``)."""

    kind: str = Field(description="the personal-data kind (`nik`, `name`, `health`, `free_text`, ...)")
    label: Bilingual
    category: str = Field(description="UU PDP Pasal 4 category: `general` or `specific`")
    sensitivity: str
    category_basis: list[str]
    confidence: str
    match_ratio: float
    sample_size: int
    name_hit: bool
    value_confirmed: bool | None = None
    name_only: bool | None = None
    nik_or_kk: bool | None = None
    minor_count: int
    child_data: bool
    child_evidence: Bilingual | dict[str, str] | None = Field(
        default=None, description="what the values showed about children (`{}` when not child data)")
    masked_examples: list[str]
    protection: ColumnProtection
    embedded: EmbeddedData | None = None


class ValueLengths(FactsModel):
    min: int
    max: int
    distinct: int


class CredentialColumn(ColumnRefFacts):
    """A password, PIN or secret column: how its values are stored, never the values."""

    purpose: str = Field(description="`password` or `secret`")
    sample_size: int
    value_lengths: ValueLengths | None = None
    protection: ColumnProtection


# -- SQL text (the sqlfile probe, and SQL files in the code probe) ------------------------------------

class DefinedColumn(FactsModel):
    name: str
    type: str


class SqlTable(FactsModel):
    """A ``CREATE TABLE`` statement."""

    name: str
    line: int
    columns: list[DefinedColumn]


class SqlColumn(PersonalColumn):
    has_values: bool | None = Field(default=None, description="the file writes values into this column")


class SqlGrant(FactsModel):
    """A ``GRANT`` statement."""

    line: int
    privileges: list[str]
    object_type: str | None = None
    object: str
    grantees: list[str]
    to_public: bool


class SqlRows(FactsModel):
    insert_parsed: int = Field(description="rows of INSERT statements parsed (up to sample_rows per table)")
    insert_statements: int
    copy_: int = Field(alias="copy", description="rows of COPY blocks")


class SqlUnread(SubCheck):
    """A statement (``line``, ``statement``) or a table (``table``) that could not be read; the others were."""

    line: int | None = None
    statement: str | None = Field(default=None, description="the statement's first words (`CREATE TABLE`)")
    table: str | None = None


class SqlAnalysis(ProbeFacts):
    """What the SQL analyser (``scanner.sql.analyze.analyze_sql``) observes in one SQL text: the sqlfile
    probe's facts, and each SQL file of the code probe."""

    source: str = Field(description="the file's path")
    size_bytes: int
    dialect: str = Field(description="`mysql`, `postgresql`, `sqlite` or `unknown`")
    statements: int
    tables: list[SqlTable]
    columns: list[SqlColumn]
    credentials: list[CredentialColumn]
    grants: list[SqlGrant]
    rows: SqlRows
    copy_blocks: int
    unread: list[SqlUnread] | None = Field(default=None, description="newer: only when something was unread")


# -- software versions and their end of life (scanner.eol): the http and database probes -----------------

class EolRecord(FactsModel):
    """The end-of-life lookup of one product version."""

    cycle: str
    security_until: str | None = None
    status: str = Field(description="`supported` or `ended`")
    days_past_end: int | None = Field(
        default=None,
        description="days since security support ended (0: ended on no published date); null while supported")
    latest_in_cycle: str | None = None
    supported_cycles: list[str] = Field(default_factory=list)
    policy: str = ""
    table_retrieved: str = ""


class EolTable(FactsModel):
    retrieved: str
    age_days: int
    source: str


class SoftwareItem(FactsModel):
    product: str
    version: str
    seen_at: list[str]
    evidence: str
    confidence: str
    distribution: str | None = None
    eol: EolRecord | None = Field(default=None, description="null: no data for that product or cycle")


class Framework(FactsModel):
    framework: str
    evidence: str


class Software(SubCheck):
    """Product versions the target shows, each with its end-of-life lookup (docs/eol.md)."""

    observed_on: str | None = None
    eol_table: EolTable | None = None
    items: list[SoftwareItem] = Field(default_factory=list)
    frameworks: list[Framework] | None = Field(default=None, description="http: framework tells without a version")


def facts_schema_of(name: str, model: type[BaseModel], version: str) -> dict[str, Any]:
    """The JSON Schema of ``model`` as ``docs/facts/<name>.schema.json`` holds it, with its facts ``version``."""
    schema = model.model_json_schema(by_alias=True)
    schema["$comment"] = (f"Generated from {model.__module__}.{model.__qualname__} by scripts/facts-schemas; "
                          f"do not edit. Prose: docs/facts/{name}.md")
    schema["version"] = version
    return schema


def facts_schema_text(name: str, model: type[BaseModel], version: str) -> str:
    """``docs/facts/<name>.schema.json`` as scripts/facts-schemas writes it."""
    return json.dumps(facts_schema_of(name, model, version), indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def check_facts(model: type[BaseModel], data: dict[str, Any]) -> list[str]:
    """Where ``data`` does not fit ``model``: one short line per problem (``path: message``); empty when it fits.

    Checked as the JSON it is stored as, strictly: ``"1"`` is not an integer, ``"yes"`` not a boolean
    (a rule comparing it would see a string).
    """
    try:
        model.model_validate_json(json.dumps(data), strict=True)
    except ValidationError as exc:
        return [f"{'.'.join(str(p) for p in error['loc']) or '(top)'}: {error['msg']}" for error in exc.errors()]
    return []


__all__ = ["COVERAGE_KEY", "FACTS_NOTE", "Bilingual", "ColumnProtection", "CoverageLimitFact", "CredentialColumn",
           "EolRecord", "FactsModel", "OpenFacts", "PersonalColumn", "ProbeFacts", "Software", "SqlAnalysis",
           "SubCheck", "check_facts", "facts_schema_of", "facts_schema_text"]
