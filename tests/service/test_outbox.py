"""scanner.service.outbox: notifications are recorded, retried with back-off until sent or expired, never sent twice
after an unanswered send; each carries its idempotency key (issue 32, item 4)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest

from scanner.history.store import Store
from scanner.profile import NotifyEntry
from scanner.service.notify import messages
from scanner.service.outbox import EXPIRED, FAILED, PENDING, SENT, UNCERTAIN, Outbox, backoff
from tests.history import test_store
from tests.service.test_notify import CURRENT, PREVIOUS
from tests.services.receivers import free_port, webhook_receiver

postgres, store = test_store.postgres, test_store.store  # the history store's fixtures: SQLite and PostgreSQL
T0 = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
PROFILE = "/etc/pindai/dukcapil.toml"


@pytest.fixture
def outbox(store: Store) -> Outbox:
    """The outbox on SQLite and on a real PostgreSQL (the history store's own fixtures)."""
    return Outbox(store)


def _record(outbox: Outbox, entry: NotifyEntry, retry_hours: float = 72.0) -> str:
    (message,) = messages(CURRENT, PREVIOUS, entry)
    assert outbox.add(CURRENT.scan_id, PROFILE, message, T0, retry_hours)
    assert not outbox.add(CURRENT.scan_id, PROFILE, message, T0, retry_hours)  # once per idempotency key
    return message.key


def _status(outbox: Outbox, key: str) -> tuple[str, int]:
    (entry,) = [e for e in outbox.entries(profile=PROFILE) if e.key == key]
    return entry.status, entry.attempts


def test_refused_webhook_is_retried_across_wake_ups_and_delivered_exactly_once(outbox: Outbox) -> None:
    port = free_port()  # nothing listens there yet: connection refused
    entry = NotifyEntry(webhook_url=f"http://127.0.0.1:{port}/hooks/token-rahasia")
    key = _record(outbox, entry)
    (first,) = outbox.deliver_due(PROFILE, entry, T0, sleep=lambda s: None)
    assert first.state == "retry" and "will retry" in first.describe()
    assert _status(outbox, key) == (PENDING, 1)
    assert outbox.next_attempt([PROFILE]) == T0 + backoff(1)
    assert outbox.deliver_due(PROFILE, entry, T0 + timedelta(minutes=1)) == []  # backing off
    with webhook_receiver(port=port) as hook:
        (second,) = outbox.deliver_due(PROFILE, entry, T0 + timedelta(minutes=6))
        assert outbox.deliver_due(PROFILE, entry, T0 + timedelta(days=1)) == []
    assert second.ok and _status(outbox, key) == (SENT, 2)
    (request,) = hook.requests
    assert request["headers"]["Idempotency-Key"] == key == request["json"]["idempotency_key"]
    assert request["json"]["scan_id"] == CURRENT.scan_id
    assert outbox.next_attempt([PROFILE]) is None


def test_stalled_webhook_may_have_arrived_and_is_not_sent_twice(outbox: Outbox,
                                                                caplog: pytest.LogCaptureFixture) -> None:
    with webhook_receiver(delay=30) as hook:
        entry = NotifyEntry(webhook_url=hook.url)
        key = _record(outbox, entry)
        with caplog.at_level(logging.INFO):
            (delivery,) = outbox.deliver_due(PROFILE, entry, T0, timeout=1)
        later = outbox.deliver_due(PROFILE, entry, T0 + timedelta(hours=1), timeout=1)
    assert delivery.state == "uncertain" and "MAY HAVE ARRIVED" in delivery.describe()
    assert "ReadTimeout" in delivery.detail and later == []
    assert len(hook.requests) == 1 and _status(outbox, key) == (UNCERTAIN, 1)
    assert "pindai-secret-token" not in caplog.text and "may have arrived" in caplog.text


def test_undelivered_notification_expires(outbox: Outbox) -> None:
    entry = NotifyEntry(webhook_url=f"http://127.0.0.1:{free_port()}/x")
    key = _record(outbox, entry, retry_hours=1)
    outbox.deliver_due(PROFILE, entry, T0, sleep=lambda s: None)
    assert outbox.deliver_due(PROFILE, entry, T0 + timedelta(hours=2)) == []
    assert _status(outbox, key) == (EXPIRED, 1)


def test_refusal_by_the_receiver_is_failed_not_retried(outbox: Outbox) -> None:
    with webhook_receiver(statuses=[403]) as hook:
        entry = NotifyEntry(webhook_url=hook.url)
        key = _record(outbox, entry)
        (delivery,) = outbox.deliver_due(PROFILE, entry, T0)
        assert outbox.deliver_due(PROFILE, entry, T0 + timedelta(days=1)) == []
    assert delivery.state == "failed" and delivery.detail == "HTTP 403" and len(hook.requests) == 1
    assert _status(outbox, key) == (FAILED, 1)


def test_a_channel_removed_from_the_profile_is_failed(outbox: Outbox) -> None:
    key = _record(outbox, NotifyEntry(webhook_url="http://127.0.0.1:9/x"))
    (delivery,) = outbox.deliver_due(PROFILE, NotifyEntry(), T0)
    assert not delivery.ok and "no longer configured" in delivery.detail
    assert _status(outbox, key) == (FAILED, 1)


def test_outbox_rows_hold_no_destination(outbox: Outbox) -> None:
    _record(outbox, NotifyEntry(webhook_url="http://127.0.0.1:9/hooks/token-rahasia"))
    with outbox.store.engine.connect() as conn:
        dump = str(conn.exec_driver_sql("SELECT * FROM pindai_outbox").all())
    assert "token-rahasia" not in dump and "3174011505900001" not in dump
