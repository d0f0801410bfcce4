"""The follow-up, users and sessions tables as queries see them (created by migration 0002)."""

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

synced = Table(
    "pindai_followup_synced", metadata,
    Column("scan_id", String(32), primary_key=True),
    Column("at", Text, nullable=False, default=""),
)

users = Table(
    "pindai_users", metadata,
    Column("username", String(64), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("agency", Text, nullable=False, default=""),
    Column("password_hash", Text, nullable=False, default=""),
    Column("failed", Integer, nullable=False, default=0),
    Column("locked_until", Text, nullable=False, default=""),
    Column("created_at", Text, nullable=False, default=""),
)

sessions = Table(
    "pindai_sessions", metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("username", String(64), nullable=False),
    Column("csrf", Text, nullable=False, default=""),
    Column("created_at", Text, nullable=False, default=""),
    Column("expires_at", Text, nullable=False, default=""),
)
