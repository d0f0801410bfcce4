"""Follow-up (tindak lanjut): state per finding fingerprint, its append-only log, targets' latest observation;
dashboard users and sessions.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

APPEND_ONLY_SQLITE = """
CREATE TRIGGER pindai_followup_log_no_{op} BEFORE {op} ON pindai_followup_log
BEGIN SELECT RAISE(ABORT, 'pindai_followup_log is append-only'); END
"""
APPEND_ONLY_PG_FUNCTION = """
CREATE FUNCTION pindai_followup_log_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'pindai_followup_log is append-only'; END $$ LANGUAGE plpgsql
"""
APPEND_ONLY_PG = """
CREATE TRIGGER pindai_followup_log_append_only BEFORE UPDATE OR DELETE ON pindai_followup_log
FOR EACH ROW EXECUTE FUNCTION pindai_followup_log_append_only()
"""


def _text(name: str, length: int | None = None) -> sa.Column[str]:
    kind = sa.String(length) if length else sa.Text()
    return sa.Column(name, kind, nullable=False, server_default="")


def upgrade() -> None:
    op.create_table(
        "pindai_followup",
        sa.Column("fingerprint", sa.String(32), primary_key=True),
        _text("rule_id", 32), _text("target_id"), _text("agency", 200), _text("severity", 16), _text("probe", 32),
        sa.Column("title", sa.JSON, nullable=False),
        sa.Column("state", sa.String(20), nullable=False, index=True),
        sa.Column("regression", sa.Boolean, nullable=False, server_default=sa.false()),
        _text("first_seen", 40), _text("last_seen", 40), _text("last_scan", 32), _text("opened_at", 40),
        _text("due", 10), _text("fixed_at", 40), _text("assignee", 200), _text("target_date", 10),
        _text("approver", 200), _text("reason"), _text("expires", 10), _text("updated_at", 40),
    )
    op.create_index("ix_pindai_followup_agency", "pindai_followup", ["agency"])
    op.create_index("ix_pindai_followup_target_id", "pindai_followup", ["target_id"])
    op.create_table(
        "pindai_followup_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("fingerprint", sa.String(32), nullable=False, index=True),
        _text("at", 40), _text("actor", 200), _text("from_state", 20), _text("to_state", 20), _text("note"),
    )
    op.create_table(
        "pindai_targets",
        sa.Column("target_id", sa.Text, primary_key=True),
        _text("agency", 200), _text("name", 200), _text("kind", 16), _text("last_scan", 32),
        _text("last_attempt", 40), _text("last_observed", 40),
    )
    op.create_index("ix_pindai_targets_agency", "pindai_targets", ["agency"])
    op.create_table(
        "pindai_followup_synced",
        sa.Column("scan_id", sa.String(32), primary_key=True),
        _text("at", 40),
    )
    op.create_table(
        "pindai_users",
        sa.Column("username", sa.String(64), primary_key=True),
        sa.Column("role", sa.String(16), nullable=False),
        _text("agency", 200), _text("password_hash"),
        sa.Column("failed", sa.Integer, nullable=False, server_default="0"),
        _text("locked_until", 40), _text("created_at", 40),
    )
    op.create_table(
        "pindai_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("username", sa.String(64), sa.ForeignKey("pindai_users.username", ondelete="CASCADE"),
                  nullable=False, index=True),
        _text("csrf", 64), _text("created_at", 40), _text("expires_at", 40),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(APPEND_ONLY_PG_FUNCTION)
        op.execute(APPEND_ONLY_PG)
    elif op.get_bind().dialect.name == "sqlite":
        for operation in ("UPDATE", "DELETE"):
            op.execute(APPEND_ONLY_SQLITE.format(op=operation))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER pindai_followup_log_append_only ON pindai_followup_log")
        op.execute("DROP FUNCTION pindai_followup_log_append_only()")
    for table in ("pindai_sessions", "pindai_users", "pindai_followup_synced", "pindai_targets", "pindai_followup_log",
                  "pindai_followup"):
        op.drop_table(table)
