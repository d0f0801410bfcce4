"""The code probe's facts model: what ``CodeProbe.run`` returns (prose: docs/facts/code.md).

``docs/facts/code.schema.json`` is generated from :class:`CodeFacts` (``scripts/facts-schemas``).
No secret value is ever a fact: only pattern ids, kinds, places, variable names, masked values and lengths.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from scanner.probes.base import SubStatus
from scanner.probes.facts import EolRecord, EolTable, FactsModel, ProbeFacts, SqlAnalysis

FACTS_VERSION = "1"
"""Bumped when a field is removed or changes meaning (adding a field keeps the version)."""

CheckStatus = SubStatus | Literal["not_configured"]
"""A sub-check's status; facts stored before the one vocabulary spell "not configured" ``not_configured``
in ``sast`` and ``history``."""


class Skipped(FactsModel):
    count: int
    paths: list[str] = Field(description="the first 50")


class Inventory(FactsModel):
    """The files read, and those skipped by reason (`binary`, `too_large`, `excluded_directory`, ...)."""

    files: int
    python_files: int
    sql_files: int
    ignore_file: str | None = None
    gitignore_files: int
    truncated: bool
    skipped: dict[str, Skipped]


class FileError(FactsModel):
    file: str
    reason: str


class BanditIssue(FactsModel):
    test_id: str
    test_name: str
    file: str
    line: int
    severity: str
    confidence: str
    cwe: int
    text: str
    code: str = Field(description="the flagged lines, secrets masked")
    secret_length: int | None = None
    key: str
    inline_suppression: str | None = Field(default=None, description="`# nosec ...` on the flagged lines")


class Bandit(FactsModel):
    status: CheckStatus
    reason: str | None = None
    version: str | None = None
    files: int | None = None
    issues: list[BanditIssue] = Field(default_factory=list)
    errors: list[FileError] = Field(default_factory=list)


class SecretHit(FactsModel):
    """A secret-looking value in the working tree."""

    pattern: str = Field(description="pattern id, or the assignment syntax (`dotenv`, `php-define`, ...)")
    kind: str
    detector: str = Field(description="`pattern` or `assignment`")
    file: str
    line: int
    variable: str | None = None
    masked: str
    length: int
    form: str = Field(description="`literal` or `env_default`")
    placeholder: bool
    template: bool
    documentation: bool = False
    vcs_ignored: bool = False
    key: str


class Setting(FactsModel):
    """A non-secret configuration value whose name matters to rules (debug, environment)."""

    file: str
    line: int
    syntax: str
    name: str
    name_class: str
    value: str
    template: bool
    key: str


class EnvFile(FactsModel):
    file: str
    template: bool
    vcs_ignored: bool


class SqlFile(SqlAnalysis):
    """One ``.sql`` file of the tree, analysed as the sqlfile probe does."""

    path: str
    status: Literal[SubStatus.OK]


class SqlFileUnread(FactsModel):
    """A ``.sql`` file the analyser could not read."""

    path: str
    status: Literal[SubStatus.INCONCLUSIVE]
    reason: str


class LockFile(FactsModel):
    file: str
    status: str = Field(description="`ok` or `unreadable` (with `reason`)")
    reason: str | None = None
    packages: int


class AdvisoryData(FactsModel):
    ecosystem: str
    retrieved: str
    age_days: int
    newest_advisory: str | None = None
    advisories: int
    source: str


class VulnerablePackage(FactsModel):
    key: str = Field(description="`file:name@version`")
    ecosystem: str
    name: str
    version: str
    file: str
    advisories: list[str]
    aliases: list[str]
    fixed: str | None = None
    fixed_versions: list[str]
    severity: str
    summary: str


class EndOfLifePackage(FactsModel):
    key: str
    product: str
    name: str
    version: str
    file: str
    eol: EolRecord


class Dependencies(FactsModel):
    """Lock files, their packages' known advisories (OSV) and end of life; ``status`` (newer) is
    ``inconclusive`` with a ``reason`` when the check failed, and the other fields are then absent."""

    status: CheckStatus | None = None
    reason: str | None = None
    lockfiles: list[LockFile] | None = None
    packages: int | None = None
    ecosystems: list[str] | None = None
    advisory_data: list[AdvisoryData] | None = None
    untested_ecosystems: list[str] | None = None
    tested: bool | None = Field(default=None, description="an advisory index was available for an ecosystem")
    vulnerable: list[VulnerablePackage] | None = None
    end_of_life: list[EndOfLifePackage] | None = None
    eol_table: EolTable | None = None


class SastFinding(FactsModel):
    check: str
    category: str
    cwe: int
    language: str
    file: str
    line: int
    code: str = Field(description="masked")
    key: str


class Sast(FactsModel):
    """PHP/JavaScript analysis with semgrep (optional extra)."""

    status: CheckStatus
    reason: str | None = None
    engine: str | None = None
    version: str | None = None
    files: int | None = None
    findings: list[SastFinding] | None = None
    errors: list[FileError] | None = None


class DataField(FactsModel):
    field: str
    kind: str
    category: str
    confidence: str
    sample_size: int
    masked_examples: list[str]


class DataFile(FactsModel):
    """A CSV/JSON/XLSX data file in the tree and the personal-data fields it holds."""

    path: str
    format: str
    status: SubStatus
    reason: str | None = None
    columns: list[DataField]
    specific: bool | None = None


class DataFiles(FactsModel):
    status: CheckStatus | None = Field(default=None, description="newer")
    reason: str | None = None
    files: int | None = None
    items: list[DataFile] | None = None


class HistorySecret(FactsModel):
    """A secret added by a commit (``options.git_history``)."""

    commit: str
    date: str
    file: str
    line: int
    pattern: str
    kind: str
    detector: str
    variable: str | None = None
    masked: str
    length: int
    template: bool
    documentation: bool
    in_working_tree: bool
    commits: int
    key: str


class History(FactsModel):
    status: CheckStatus
    reason: str | None = None
    since: str | None = None
    commits_scanned: int | None = None
    truncated: bool | None = None
    secrets: list[HistorySecret] | None = None


class CodeFacts(ProbeFacts):
    """Facts of the ``code`` probe: one source directory (or file)."""

    root: str = Field(description="the directory's name")
    inventory: Inventory
    bandit: Bandit
    secrets: list[SecretHit]
    settings: list[Setting]
    env_files: list[EnvFile]
    sql: list[Annotated[SqlFile | SqlFileUnread, Field(discriminator="status")]]
    dependencies: Dependencies | None = Field(default=None, description="newer")
    sast: Sast | None = Field(default=None, description="newer")
    data_files: DataFiles | None = Field(default=None, description="newer")
    history: History | None = Field(default=None, description="only with options.git_history")
