"""The database probe's facts model: what ``DatabaseProbe.run`` returns (prose: docs/facts/database.md).

``docs/facts/database.schema.json`` is generated from :class:`DatabaseFacts` (``scripts/facts-schemas``).
Fields marked "newer" are absent from facts stored by older versions, which still validate.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from scanner.probes.facts import CredentialColumn, FactsModel, OpenFacts, PersonalColumn, ProbeFacts, Software, SubCheck

FACTS_VERSION = "1"
"""Bumped when a field is removed or changes meaning (adding a field keeps the version)."""


class TableColumn(FactsModel):
    name: str
    type: str
    comment: str | None = Field(default=None, description="the column comment, cut and masked")


class SampleCoverage(OpenFacts):
    """Where the sampled rows lie, as fractions of the key range or pages (never key values); the keys
    depend on the method (`unit`, `from`, `to`; PostgreSQL pages: `pages`, `percent`, ...)."""

    unit: str


class SampleDescription(FactsModel):
    """How a table's sample was drawn (no values)."""

    method: str
    rows_seen: int
    complete: bool
    non_null: dict[str, int] = Field(description="non-empty sampled values per column")
    coverage: SampleCoverage | dict[str, Any]
    topped_up: list[str]


class Table(FactsModel):
    """A table reflected in scope; ``status`` says whether its rows were read."""

    name: str = Field(description="`table`, or `schema.table` outside the default schema")
    row_estimate: int | None = None
    columns: list[TableColumn]
    status: str = Field(description="`ok` (sampled), `metadata-only` (read_data off), `carried-forward` "
                                    "(--changed-only, unchanged), `inconclusive` (with `reason`)")
    reason: str | None = None
    sampled_rows: int
    sample_method: str | None = None
    sample: SampleDescription | None = None
    changed_columns: list[str] | None = Field(default=None, description="--changed-only: columns sampled anew")


class DatabaseColumn(PersonalColumn):
    sampled: bool | None = Field(default=None, description="its table's rows were read in this run")
    basis: str | None = Field(default=None, description="`column-name` when read_data is off")


class PersonalTable(FactsModel):
    table: str
    kinds: list[str]
    sensitivity: str
    columns: list[str]


class Scope(FactsModel):
    """``options.database`` include/exclude patterns and what they left out."""

    include: list[str]
    exclude: list[str]
    tables_excluded: int
    columns_excluded: int


class Incremental(FactsModel):
    """What a ``--changed-only`` run sampled anew and carried forward."""

    since_scan: str
    changed_columns: int
    carried_columns: int


class Cost(FactsModel):
    queries: int
    seconds: float


# -- server checks: each is its own sub-check (``ok`` or ``inconclusive`` with a reason) ------------------

class SessionTls(SubCheck):
    encrypted: bool | None = None
    version: str | None = None
    cipher: str | None = None


class PlaintextConnection(SubCheck):
    """A second login without TLS (no password sent to PostgreSQL)."""

    attempted: bool | None = None
    accepted: bool | None = Field(default=None, description="the server accepted the transport without TLS")
    detail: str | None = None


class PgSettings(SubCheck):
    ssl: str | None = None
    ssl_min_protocol_version: str | None = None
    password_encryption: str | None = None
    log_connections: str | None = None
    log_disconnections: str | None = None
    log_statement: str | None = None
    listen_addresses: str | None = None
    shared_preload_libraries: str | None = None


class HbaRule(FactsModel):
    line: int | None = None
    type: str | None = None
    database: list[str]
    user: list[str]
    address: str | None = None
    netmask: str | None = None
    auth_method: str | None = None
    error: str | None = None


class HbaRules(SubCheck):
    rules: list[HbaRule] | None = None


class Role(FactsModel):
    name: str
    superuser: bool
    createrole: bool
    createdb: bool
    replication: bool
    bypassrls: bool
    login: bool


class Roles(SubCheck):
    roles: list[Role] | None = None
    superusers: list[str] | None = None
    superuser_count: int | None = None
    login_superuser_count: int | None = None


class StoredPassword(FactsModel):
    name: str
    storage: str = Field(description="`scram-sha-256`, `md5`, `none` or `other`")


class PasswordStorage(SubCheck):
    roles: list[StoredPassword] | None = None


class PublicGrant(FactsModel):
    table: str
    privileges: list[str]
    personal_data: bool
    kinds: list[str]
    sensitivity: str


class PublicGrants(SubCheck):
    grants: list[PublicGrant] | None = None


class MysqlVariables(SubCheck):
    """Global variables (``SHOW GLOBAL VARIABLES``); null when the server does not have one."""

    require_secure_transport: str | None = None
    have_ssl: str | None = None
    have_openssl: str | None = None
    tls_version: str | None = None
    local_infile: str | None = None
    bind_address: str | None = None
    version: str | None = None
    version_comment: str | None = None
    default_authentication_plugin: str | None = None
    old_passwords: str | None = None
    secure_auth: str | None = None
    skip_networking: str | None = None
    general_log: str | None = None
    log_warnings: str | None = None


class Account(FactsModel):
    user: str
    host: str
    account: str = Field(description="`'user'@'host'`")
    plugin: str
    empty_password: bool
    socket_auth: bool
    locked: bool
    anonymous: bool
    remote: bool
    wildcard_host: bool
    super: bool
    ssl_type: str


class Accounts(SubCheck):
    accounts: list[Account] | None = None


class TestDatabases(SubCheck):
    databases: list[str] | None = None


class TestGrant(FactsModel):
    database: str
    user: str
    host: str


class TestGrants(SubCheck):
    grants: list[TestGrant] | None = None


class Server(FactsModel):
    """Server hardening: PostgreSQL fills the first group, MySQL/MariaDB the second, SQLite nothing."""

    settings: PgSettings | None = None
    hba_rules: HbaRules | None = None
    roles: Roles | None = None
    password_storage: PasswordStorage | None = None
    public_grants: PublicGrants | None = None
    variables: MysqlVariables | None = None
    accounts: Accounts | None = None
    test_databases: TestDatabases | None = None
    test_grants: TestGrants | None = None
    session_tls: SessionTls | None = None
    plaintext_connection: PlaintextConnection | None = None


class DatabaseFacts(ProbeFacts):
    """Facts of the ``database`` probe: one live database (PostgreSQL, MySQL/MariaDB, SQLite)."""

    engine: str = Field(description="`postgresql`, `mysql`, `mariadb` or `sqlite`")
    server_version: str
    database: str
    user: str
    sample_rows: int
    read_data: bool | None = Field(default=None, description="newer: rows were read (options.database.read_data)")
    scope: Scope | None = Field(default=None, description="newer")
    table_count: int
    tables: list[Table]
    columns: list[DatabaseColumn]
    credentials: list[CredentialColumn]
    personal_tables: list[PersonalTable]
    schema_: dict[str, str] | None = Field(
        default=None, alias="schema",
        description="newer: `table.column` -> fingerprint of its definition (--changed-only)")
    incremental: Incremental | None = None
    software: Software | None = Field(default=None, description="newer: the server version's end of life")
    server: Server
    cost: Cost
