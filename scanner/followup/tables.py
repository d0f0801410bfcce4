"""The follow-up tables as queries see them (created by migration 0002)."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Integer, MetaData, String, Table, Text

metadata = MetaData()

followup = Table(
    "pindai_followup", metadata,
    Column("fingerprint", String(32), primary_key=True),
    *(Column(name, Text, nullable=False, default="") for name in ("rule_id", "target_id", "agency", "severity",
                                                                  "probe")),
    Column("title", JSON, nullable=False),
    Column("state", String(20), nullable=False),
    Column("regression", Boolean, nullable=False, default=False),
    *(Column(name, Text, nullable=False, default="") for name in (
        "first_seen", "last_seen", "last_scan", "opened_at", "due", "fixed_at", "assignee", "target_date",
        "approver", "reason", "expires", "updated_at")),
)

log = Table(
    "pindai_followup_log", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    *(Column(name, Text, nullable=False, default="") for name in ("fingerprint", "at", "actor", "from_state",
                                                                  "to_state", "note")),
)

targets = Table(
    "pindai_targets", metadata,
    Column("target_id", Text, primary_key=True),
    *(Column(name, Text, nullable=False, default="") for name in ("agency", "name", "kind", "last_scan",
                                                                  "last_attempt", "last_observed")),
)
"""Every target any scan declared: its agency and when a scan last tried and last managed to observe it."""

synced = Table(
    "pindai_followup_synced", metadata,
    Column("scan_id", String(32), primary_key=True),
    Column("at", Text, nullable=False, default=""),
)
