"""scanner.service.channels through scanner.service.notify.send: Slack-compatible and Telegram bot messages, SMTP over
implicit TLS, agency mails with their own report attached; tokens and addresses stay out of logs."""

from __future__ import annotations

import logging
import ssl
from pathlib import Path

import pytest

from fixtures.db.certs import make_self_signed
from scanner.profile import NotifyEntry
from scanner.service.notify import messages, send
from tests.service.test_notify import CURRENT, NIK, PREVIOUS
from tests.services.receivers import free_port, webhook_receiver


def test_slack_and_telegram_messages(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("PINDAI_TEST_TELEGRAM_TOKEN", "123456:rahasia-bot")
    caplog.set_level(logging.DEBUG)  # as with -vv, also where a daemon run set its loggers' level
    for name in ("scanner.service.channels", "scanner.net.session"):
        caplog.set_level(logging.DEBUG, logger=name)
    with webhook_receiver() as hook:
        base = hook.url.split("/hooks/")[0]
        entry = NotifyEntry(slack_webhook_url=hook.url, telegram_token_env="PINDAI_TEST_TELEGRAM_TOKEN",
                            telegram_chat_id="-100200300", telegram_api_url=base)
        found = messages(CURRENT, PREVIOUS, entry)
        assert [m.channel for m in found] == ["slack", "telegram"]
        deliveries = [send(m, entry) for m in found]
    assert all(d.ok for d in deliveries), deliveries
    slack, telegram = hook.requests
    assert set(slack["json"]) == {"text"} and "2 new findings" in slack["json"]["text"]
    assert "PND-DB-002" in slack["json"]["text"] and NIK not in str(slack)
    assert telegram["path"] == "/bot123456:rahasia-bot/sendMessage"
    assert telegram["json"]["chat_id"] == "-100200300" and "PND-DB-003" in telegram["json"]["text"]
    assert slack["headers"]["Idempotency-Key"] == found[0].key != found[1].key
    ours = " ".join(r.getMessage() for r in caplog.records if r.name.startswith("scanner"))  # -vv keeps urllib3 at INFO
    assert "telegram http://127.0.0.1" in ours and "rahasia-bot" not in ours and "pindai-secret-token" not in ours


def test_slack_text_cannot_mention_everyone() -> None:
    from scanner.service.notify import slack_escape

    assert slack_escape("<!channel> a & b <https://x|klik>") == "&lt;!channel&gt; a &amp; b &lt;https://x|klik&gt;"


def test_telegram_without_token_is_a_failed_delivery(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PINDAI_TEST_TELEGRAM_TOKEN", raising=False)
    entry = NotifyEntry(telegram_token_env="PINDAI_TEST_TELEGRAM_TOKEN", telegram_chat_id="1")
    (message,) = messages(CURRENT, PREVIOUS, entry)
    delivery = send(message, entry)
    assert delivery.state == "failed" and "PINDAI_TEST_TELEGRAM_TOKEN" in delivery.detail


def test_implicit_tls_mail_with_the_full_report_attached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from aiosmtpd.controller import Controller

    crt, key = make_self_signed(tmp_path, "localhost")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(crt, key)
    monkeypatch.setenv("SSL_CERT_FILE", str(crt))
    received: list[bytes] = []

    class Handler:
        async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
            received.append(envelope.content)  # type: ignore[attr-defined]
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=free_port(), ssl_context=context,
                            server_hostname="localhost")
    controller.start()
    try:
        report = tmp_path / "report.html"
        report.write_text("<html>laporan</html>")
        entry = NotifyEntry(smtp_host="localhost", smtp_port=controller.port, smtp_tls=True,
                            mail_to=["csirt@contoh.go.id"])
        (message,) = messages(CURRENT, PREVIOUS, entry, full_report=report)
        delivery = send(message, entry)
    finally:
        controller.stop()
    assert delivery.ok, delivery.detail
    (raw,) = received
    assert b'filename="report.html"' in raw and f"<{message.key}@pindai.invalid>".encode() in raw


def test_a_refused_recipient_is_masked_in_the_delivery_and_the_log(caplog: pytest.LogCaptureFixture) -> None:
    from aiosmtpd.controller import Controller

    class Refuse:
        async def handle_RCPT(self, server: object, session: object, envelope: object, address: str,
                              options: object) -> str:
            return "550 no such user"

    controller = Controller(Refuse(), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        entry = NotifyEntry(smtp_host="127.0.0.1", smtp_port=controller.port, mail_to=["kepala@dinkes.go.id"])
        with caplog.at_level(logging.INFO):
            delivery = send(messages(CURRENT, PREVIOUS, entry)[0], entry)
    finally:
        controller.stop()
    assert not delivery.ok and "k***@dinkes.go.id" in delivery.detail
    ours = " ".join(r.getMessage() for r in caplog.records if r.name.startswith("scanner"))
    assert "k***@dinkes.go.id" in ours and "kepala@dinkes.go.id" not in delivery.detail + ours
