"""The notification outbox (``scanner.service.outbox``): every message a run calls for, and how its delivery stands.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if sa.inspect(op.get_bind()).has_table("pindai_outbox"):
        return  # made by a development build that created it without migrations
    op.create_table(
        "pindai_outbox",
        sa.Column("key", sa.String(40), primary_key=True),
        sa.Column("scan_id", sa.String(32), nullable=False, index=True),
        sa.Column("profile", sa.Text, nullable=False, index=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("audience", sa.Text, nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("message", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        *(sa.Column(name, sa.String(40), nullable=False)
          for name in ("created_at", "next_attempt_at", "expires_at")),
        sa.Column("last_error", sa.Text, nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("pindai_outbox")
