"""Versioned schema of the history store: Alembic migrations under ``scanner/history/migrations/versions``.

Opening a store brings it to this release's head revision in place: an empty database gets every
revision, a store written before migrations existed (Pindai 0.1.0: tables, no version table) is
stamped as the baseline first, so no scan is lost. A store stamped with a revision this release does
not know was written by a newer Pindai and is refused, untouched. A store already at :data:`HEAD`
is recognised with one query, without loading Alembic.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import column, inspect, select, table, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

if TYPE_CHECKING:
    from alembic.config import Config

VERSION_TABLE = "pindai_schema_version"
BASELINE = "0001"
HEAD = "0004"
"""The newest revision under ``migrations/versions`` (``tests/history/test_schema.py`` keeps the two equal)."""
LEGACY_TABLE = "pindai_scans"
_LOCK_KEY = 0x70696E646169  # "pindai": serialises concurrent upgrades of one PostgreSQL store


class NewerSchemaError(Exception):
    """The store was written by a newer Pindai; the message says which revision and what to do."""


def _config(conn: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    config.attributes["connection"] = conn
    return config


def script_head() -> str:
    """The head revision of the migration scripts themselves."""
    from alembic.script import ScriptDirectory

    return str(ScriptDirectory.from_config(_config()).get_current_head())


def current(conn: Connection) -> tuple[str, ...]:
    """The revision(s) the store is stamped with (empty for a new or a pre-migration store)."""
    if not inspect(conn).has_table(VERSION_TABLE):
        return ()
    versions = select(column("version_num")).select_from(table(VERSION_TABLE))  # type: ignore[var-annotated]
    return tuple(str(v) for v in conn.execute(versions).scalars())


def upgrade(engine: Engine) -> None:
    """Bring the store to :data:`HEAD`, or raise :class:`NewerSchemaError` without changing it."""
    try:
        with engine.connect() as conn:
            if current(conn) == (HEAD,):
                return
    except SQLAlchemyError:
        pass  # let the migration below report what is wrong
    from alembic import command
    from alembic.script import ScriptDirectory

    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
        config = _config(conn)
        script = ScriptDirectory.from_config(config)
        stamped = current(conn)
        known = {rev.revision for rev in script.walk_revisions()}
        unknown = [rev for rev in stamped if rev not in known]
        if unknown:
            raise NewerSchemaError(
                f"the history store has schema revision {', '.join(unknown)}, newer than this Pindai knows "
                f"(up to {script.get_current_head()}); upgrade Pindai to open it / skema penyimpanan riwayat "
                f"lebih baru dari yang dikenal Pindai ini; perbarui Pindai untuk membukanya")
        if stamped == (script.get_current_head(),):
            return
        if not stamped and inspect(conn).has_table(LEGACY_TABLE):
            command.stamp(config, BASELINE)
        command.upgrade(config, "head")
