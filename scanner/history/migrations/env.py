"""Alembic environment: runs on the connection ``scanner.history.schema`` hands over (no alembic.ini, no URL here)."""

from __future__ import annotations

from alembic import context

from scanner.history.schema import VERSION_TABLE

context.configure(connection=context.config.attributes["connection"], version_table=VERSION_TABLE,
                  render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
