"""Follow-up states, who may move a finding where, and service levels (SLA) per severity."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any


class State(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    CLAIMED_FIXED = "claimed_fixed"
    VERIFIED_FIXED = "verified_fixed"
    RISK_ACCEPTED = "risk_accepted"
    FALSE_POSITIVE = "false_positive"


LABELS: dict[State, dict[str, str]] = {
    State.OPEN: {"id": "terbuka", "en": "open"},
    State.ACKNOWLEDGED: {"id": "diterima untuk ditindaklanjuti", "en": "acknowledged"},
    State.CLAIMED_FIXED: {"id": "dinyatakan diperbaiki", "en": "claimed fixed"},
    State.VERIFIED_FIXED: {"id": "terverifikasi diperbaiki", "en": "verified fixed"},
    State.RISK_ACCEPTED: {"id": "risiko diterima", "en": "risk accepted"},
    State.FALSE_POSITIVE: {"id": "positif palsu", "en": "false positive"},
}

ACTIVE = (State.OPEN, State.ACKNOWLEDGED, State.CLAIMED_FIXED)
"""States in which a finding still awaits a fix, counts as open and can be overdue."""

ACTIONS: dict[str, tuple[State, tuple[State, ...]]] = {
    "ack": (State.ACKNOWLEDGED, (State.OPEN,)),
    "fixed": (State.CLAIMED_FIXED, (State.OPEN, State.ACKNOWLEDGED)),
    "accept": (State.RISK_ACCEPTED, ACTIVE),
    "false-positive": (State.FALSE_POSITIVE, (*ACTIVE, State.RISK_ACCEPTED)),
    "reopen": (State.OPEN, (State.CLAIMED_FIXED, State.RISK_ACCEPTED, State.FALSE_POSITIVE)),
}
"""What a person may do: action → (new state, states it may start from). Only a scan verifies a fix."""

DEFAULT_SLA: dict[str, int] = {"critical": 7, "high": 30, "medium": 90, "low": 180}
"""Days from first sight (or reopening) to the due date, per severity; info has none."""


def sla_of(profile: Any) -> dict[str, int]:
    """The SLA a scan's stored profile summary declares (``sla``), over the defaults."""
    declared = profile.get("sla") if isinstance(profile, dict) else None
    return DEFAULT_SLA | {k: int(v) for k, v in (declared or {}).items() if isinstance(v, int) and v > 0}


def due_date(opened_at: str, severity: str, sla: dict[str, int]) -> str:
    """ISO date by which a finding opened at ``opened_at`` must be fixed ("" when its severity has no SLA)."""
    days = sla.get(severity)
    if not days or not opened_at:
        return ""
    return (datetime.fromisoformat(opened_at).date() + timedelta(days=days)).isoformat()


def overdue(state: str, due: str, today: date) -> bool:
    return state in ACTIVE and bool(due) and date.fromisoformat(due) < today
