"""Alembic migrations of the history store, one revision per schema change (see ``scanner.history.schema``)."""
