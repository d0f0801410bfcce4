"""How an auditor repeats a database finding: the read-only query that shows what the probe read."""

from __future__ import annotations

from typing import Any

from scanner.model import Finding, Line, Reproduction, Target

# What the database probe read, by the fact area a rule's condition uses (see docs/facts/database.md).
_SQL = {
    "settings": "SELECT name, setting FROM pg_settings WHERE name IN ('ssl', 'ssl_min_protocol_version', "
                "'password_encryption', 'log_connections', 'log_disconnections', 'listen_addresses');",
    "variables": "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('have_ssl', 'require_secure_transport', "
                 "'tls_version', 'local_infile', 'bind_address');",
    "hba_rules": "SELECT line_number, type, database, user_name, address, auth_method "
                 "FROM pg_hba_file_rules ORDER BY line_number;",
    "accounts": "SELECT User, Host, plugin, Super_priv, account_locked FROM mysql.user;",
    "roles": "SELECT rolname, rolsuper, rolcanlogin FROM pg_roles WHERE rolname NOT LIKE 'pg\\_%';",
    "password_storage": "SELECT rolname, left(rolpassword, 3) AS storage "  # nosec B105 - a query shown, no secret
                        "FROM pg_authid WHERE rolcanlogin;",
    "public_grants": "SELECT grantee, table_schema, table_name, privilege_type "
                     "FROM information_schema.role_table_grants WHERE grantee = 'PUBLIC';",
    "test_databases": "SHOW DATABASES LIKE 'test%';",
}


def _quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _area(areas: tuple[str, ...]) -> str:
    """The first fact area the rule reads, looking inside ``facts.server``."""
    for area in areas:
        if area != "server":
            return area
    return ""


def reproduce(finding: Finding, target: Target, facts: dict[str, Any], areas: tuple[str, ...]) -> Reproduction:
    """A column sample for column and credential findings, else the query behind the fact area."""
    area = _area(areas)
    if area in ("columns", "credentials"):
        table, _, column = finding.item_key.rpartition(".")
        if table and column:
            source = ".".join(_quote_identifier(part) for part in table.split("."))
            sql = f"SELECT {_quote_identifier(column)} FROM {source} LIMIT 5;"  # nosec B608 - shown, never run
            return Reproduction([Line("repro_sql", sql)])
    if area in _SQL:
        return Reproduction([Line("repro_sql", _SQL[area])])
    return Reproduction()
