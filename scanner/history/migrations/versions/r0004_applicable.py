"""Where each rule applied: ``pindai_scans.applicable`` (rule id -> targets, ``ScanResult.applicable``).

Scans stored before this revision keep NULL there; the commands and the dashboard work their
applicability out from the stored facts when they render them (``scanner.running.scan.with_applicability``).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if "applicable" in {c["name"] for c in sa.inspect(op.get_bind()).get_columns("pindai_scans")}:
        return  # made by a development build that added it without migrations
    op.add_column("pindai_scans", sa.Column("applicable", sa.JSON(none_as_null=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pindai_scans") as batch:
        batch.drop_column("applicable")
