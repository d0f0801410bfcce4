"""Baseline: the scans, facts and findings tables as Pindai 0.1.0 created them (before migrations).

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pindai_scans",
        sa.Column("scan_id", sa.String(32), primary_key=True),
        sa.Column("started_at", sa.String(40), nullable=False),
        sa.Column("finished_at", sa.String(40), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("tool_version", sa.String(32), nullable=False),
        sa.Column("rulepack_version", sa.String(64), nullable=False),
        sa.Column("profile", sa.JSON, nullable=False),
        sa.Column("targets", sa.JSON, nullable=False),
        sa.Column("evaluated_rules", sa.JSON, nullable=False),
        sa.Column("evaluation_errors", sa.JSON, nullable=False),
    )
    op.create_table(
        "pindai_facts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("scan_id", sa.String(32), sa.ForeignKey("pindai_scans.scan_id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("target_id", sa.Text, nullable=False),
        sa.Column("probe", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("started_at", sa.String(40), nullable=False),
        sa.Column("duration_s", sa.Float, nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.UniqueConstraint("scan_id", "target_id", "probe", name="uq_pindai_facts_observation"),
    )
    op.create_table(
        "pindai_findings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("scan_id", sa.String(32), sa.ForeignKey("pindai_scans.scan_id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("fingerprint", sa.String(32), nullable=False, index=True),
        sa.Column("rule_id", sa.String(32), nullable=False),
        sa.Column("target_id", sa.Text, nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("priority", sa.Float, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.UniqueConstraint("scan_id", "fingerprint", name="uq_pindai_findings_fingerprint"),
    )


def downgrade() -> None:
    for table in ("pindai_findings", "pindai_facts", "pindai_scans"):
        op.drop_table(table)
