"""Versioned schema of the history store: Alembic migrations under ``scanner/migrations/versions``.

Opening a store brings it to this release's head revision in place: an empty database gets every
revision, a store written before migrations existed (Pindai 0.1.0: tables, no version table) is
stamped as the baseline first, so no scan is lost. A store stamped with a revision this release does
not know was written by a newer Pindai and is refused, untouched.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

VERSION_TABLE = "pindai_schema_version"
BASELINE = "0001"
LEGACY_TABLE = "pindai_scans"
_LOCK_KEY = 0x70696E646169  # "pindai": serialises concurrent upgrades of one PostgreSQL store


class NewerSchemaError(Exception):
    """The store was written by a newer Pindai; the message says which revision and what to do."""


def _config(conn: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    config.attributes["connection"] = conn
    return config


def head() -> str:
    """The newest schema revision this release knows."""
    return str(ScriptDirectory.from_config(_config()).get_current_head())


def current(conn: Connection) -> tuple[str, ...]:
    """The revision(s) the store is stamped with (empty for a new or a pre-migration store)."""
    return tuple(MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE}).get_current_heads())


def upgrade(engine: Engine) -> None:
    """Bring the store to :func:`head`, or raise :class:`NewerSchemaError` without changing it."""
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
