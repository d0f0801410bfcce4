"""The notification outbox: every message a run calls for is recorded in the history store first, then sent.

A message that certainly did not arrive (refused connection, 5xx, SMTP failure before DATA)
is retried with exponential back-off across daemon wake-ups and runs until it is sent or
``notify.retry_hours`` have passed (then ``expired``). A message whose send broke after the
payload went out is ``uncertain`` ("may have arrived") and never resent automatically; a
receiver refusal (4xx, SMTP 5xx) is ``failed``. Each row keeps its idempotency key, attempts
and last error, so the daemon log and the dashboard can show what was told to whom. Rows
hold masked content and the audience (an agency name), never webhook URLs, tokens or
addresses: those are read from the profile at sending time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Column, Integer, MetaData, String, Table, Text, insert, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from scanner.history.store import Store, StoreError
from scanner.profile import NotifyEntry
from scanner.service.channels import Delivery
from scanner.service.notify import Message, send

log = logging.getLogger(__name__)

PENDING, SENT, UNCERTAIN, FAILED, EXPIRED = "pending", "sent", "uncertain", "failed", "expired"
FIRST_RETRY_S = 300.0
MAX_RETRY_S = 6 * 3600.0

_metadata = MetaData()
outbox_table = Table(
    "pindai_outbox", _metadata,
    Column("key", String(40), primary_key=True),
    Column("scan_id", String(32), nullable=False, index=True),
    Column("profile", Text, nullable=False, index=True),
    Column("channel", String(16), nullable=False),
    Column("audience", Text, nullable=False),
    Column("subject", Text, nullable=False),
    Column("message", JSON, nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("attempts", Integer, nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("next_attempt_at", String(40), nullable=False),
    Column("expires_at", String(40), nullable=False),
    Column("last_error", Text, nullable=False),
    Column("updated_at", String(40), nullable=False),
)


@dataclass(frozen=True)
class OutboxEntry:
    """One recorded notification and how its delivery stands."""

    key: str
    scan_id: str
    profile: str
    channel: str
    audience: str
    status: str
    attempts: int
    next_attempt_at: str
    expires_at: str
    last_error: str
    message: Message


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def backoff(attempts: int) -> timedelta:
    """Wait before attempt ``attempts + 1``: 5 min, 10, 20 … up to 6 h."""
    return timedelta(seconds=min(MAX_RETRY_S, FIRST_RETRY_S * 2 ** max(0, attempts - 1)))


class Outbox:
    """Notifications in the history store (table ``pindai_outbox``)."""

    def __init__(self, store: Store) -> None:
        self.store = store  # the table comes with the store's schema (migration 0003)

    def add(self, scan_id: str, profile: str, message: Message, now: datetime, retry_hours: float) -> bool:
        """Record ``message`` as pending (once per idempotency key); False when it was already there."""
        row = {
            "key": message.key, "scan_id": scan_id, "profile": profile, "channel": message.channel,
            "audience": message.audience, "subject": message.subject, "status": PENDING, "attempts": 0,
            "message": {"text": message.text, "body": message.body, "attachments": list(message.attachments)},
            "created_at": _iso(now), "next_attempt_at": _iso(now),
            "expires_at": _iso(now + timedelta(hours=retry_hours)), "last_error": "", "updated_at": _iso(now),
        }
        try:
            with self.store.engine.begin() as conn:
                conn.execute(insert(outbox_table).values(**row))
        except IntegrityError as exc:
            if self._has(message.key):  # recorded before (the same scan's message)
                return False
            raise StoreError(f"cannot record a notification in {self.store.display_url}: {exc}") from exc
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot record a notification in {self.store.display_url}: {exc}") from exc
        return True

    def _has(self, key: str) -> bool:
        try:
            with self.store.engine.connect() as conn:
                return conn.execute(select(outbox_table.c.key).where(outbox_table.c.key == key)).first() is not None
        except SQLAlchemyError:
            return False

    def entries(self, *, profile: str | None = None, status: str | None = None, limit: int = 1000) -> list[OutboxEntry]:
        """Recorded notifications, newest first (for the daemon's log, `pindai schedule` and the dashboard)."""
        query = select(outbox_table).order_by(outbox_table.c.created_at.desc(), outbox_table.c.key).limit(limit)
        if profile is not None:
            query = query.where(outbox_table.c.profile == profile)
        if status is not None:
            query = query.where(outbox_table.c.status == status)
        try:
            with self.store.engine.connect() as conn:
                rows = conn.execute(query).mappings().all()
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot read the notification outbox in {self.store.display_url}: {exc}") from exc
        return [_entry(row) for row in rows]

    def next_attempt(self, profiles: list[str]) -> datetime | None:
        """When the earliest pending notification of ``profiles`` is due, if any."""
        due = [datetime.fromisoformat(e.next_attempt_at) for p in profiles for e in self.entries(profile=p,
                                                                                                 status=PENDING)]
        return min(due) if due else None

    def deliver_due(
        self,
        profile: str,
        entry: NotifyEntry,
        now: datetime,
        *,
        contacts: Mapping[str, tuple[str, ...]] | None = None,
        timeout: float = 10.0,
        sleep: Callable[[float], None] | None = None,
    ) -> list[Delivery]:
        """Try every pending notification of ``profile`` that is due at ``now``; record each outcome."""
        deliveries: list[Delivery] = []
        for item in reversed(self.entries(profile=profile, status=PENDING)):
            if datetime.fromisoformat(item.next_attempt_at) > now:
                continue
            if datetime.fromisoformat(item.expires_at) <= now:
                self._update(item.key, now, status=EXPIRED, attempts=item.attempts,
                             last_error=item.last_error or "expired before a delivery")
                log.warning("notification %s (%s %s) expired undelivered after %d attempt(s): %s", item.key,
                            item.channel, item.audience or "officer", item.attempts, item.last_error)
                continue
            kwargs: dict[str, Any] = {"sleep": sleep} if sleep else {}
            delivery = send(item.message, entry, contacts=contacts, timeout=timeout, **kwargs)
            attempts = item.attempts + 1
            status = {"sent": SENT, "uncertain": UNCERTAIN, "failed": FAILED, "retry": PENDING}[delivery.state]
            self._update(item.key, now, status=status, attempts=attempts,
                         last_error="" if delivery.ok else delivery.detail,
                         next_attempt_at=_iso(now + backoff(attempts)))
            log.info("notification %s: %s to %s: %s (attempt %d)", item.key, item.channel,
                     item.audience or "officer / petugas", delivery.describe(), attempts)
            deliveries.append(delivery)
        return deliveries

    def _update(self, key: str, now: datetime, **values: Any) -> None:
        try:
            with self.store.engine.begin() as conn:
                conn.execute(update(outbox_table).where(outbox_table.c.key == key).values(updated_at=_iso(now),
                                                                                           **values))
        except SQLAlchemyError as exc:  # the next wake-up tries again; a sent message may then repeat once
            log.warning("notification %s: cannot record the outcome in %s: %s", key, self.store.display_url, exc)


def _entry(row: Any) -> OutboxEntry:
    content = row["message"] or {}
    message = Message(row["channel"], row["audience"], row["subject"], str(content.get("text", "")),
                      dict(content.get("body") or {}), tuple(content.get("attachments") or ()), row["key"])
    return OutboxEntry(row["key"], row["scan_id"], row["profile"], row["channel"], row["audience"], row["status"],
                       int(row["attempts"]), row["next_attempt_at"], row["expires_at"], row["last_error"], message)
