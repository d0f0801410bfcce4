"""scanner.service.notify: new findings go to a local webhook and a local SMTP server."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest

from fixtures.db.certs import make_self_signed
from scanner.model import Facts, Finding, ScanResult, Severity, Target, TargetKind
from scanner.profile import NotifyEntry
from scanner.service.notify import new_findings, notify, subject
from tests.services.receivers import free_port, smtp_receiver, webhook_receiver

NIK = "3174011505900001"


def finding(rule: str, severity: str, item: str, status: str = "open") -> Finding:
    return Finding(
        rule_id=rule, target_id="sqlite:///data/kependudukan.db", item_key=item, severity=Severity(severity),
        priority=50.0, title={"id": "Judul", "en": "Title"},
        message={"id": f"Kolom {item} berisi NIK {NIK}", "en": f"Column {item} holds NIK {NIK}"},
        evidence={"column": item, "example": NIK}, references=[], probe="database", status=status,
    )


def result(scan_id: str, findings: list[Finding]) -> ScanResult:
    target = Target(TargetKind.DATABASE, "sqlite:///data/kependudukan.db")
    return ScanResult(scan_id=scan_id, started_at="2026-01-05T02:00:00+00:00", finished_at="2026-01-05T02:01:00+00:00",
                      tool_version="0", rulepack_version="r", targets=[target],
                      facts=[Facts("database", target.id)], findings=findings,
                      profile={"name": "Dukcapil Kota Contoh", "path": "/etc/pindai/dukcapil.toml"})


PREVIOUS = result("prev000001", [finding("PND-DB-001", "high", "users.nik")])
CURRENT = result("curr000001", [
    finding("PND-DB-001", "high", "users.nik"),          # not new
    finding("PND-DB-002", "critical", "users.password"),  # new
    finding("PND-DB-003", "high", "pegawai.nip"),         # new
    finding("PND-DB-004", "low", "log.ip"),               # new but below threshold
    finding("PND-DB-005", "high", "old.nik", status="suppressed"),  # not open
])


def test_new_findings_are_open_unseen_and_at_or_above_threshold() -> None:
    fresh = new_findings(CURRENT, PREVIOUS, "high")
    assert [f.rule_id for f in fresh] == ["PND-DB-002", "PND-DB-003"]
    assert len(new_findings(CURRENT, None, "info")) == 4


def test_webhook_and_email_carry_new_findings_with_masked_evidence() -> None:
    with webhook_receiver() as hook, smtp_receiver() as smtp:
        entry = NotifyEntry(min_severity="high", webhook_url=hook.url, smtp_host=smtp.host, smtp_port=smtp.port,
                            mail_from="pindai@contoh.go.id", mail_to=["csirt@contoh.go.id", "kominfo@contoh.go.id"])
        deliveries = notify(CURRENT, PREVIOUS, entry)
    assert [(d.channel, d.ok) for d in deliveries] == [("webhook", True), ("email", True)]
    body = hook.bodies[0]
    assert body["scan_id"] == "curr000001" and body["previous_scan_id"] == "prev000001"
    assert body["counts"]["new"] == 2 and body["counts"]["new_by_severity"]["critical"] == 1
    assert body["counts"]["open"] == 4
    first = body["findings"][0]
    assert first["rule_id"] == "PND-DB-002" and first["severity"] == "critical"
    assert first["target"] == "sqlite:///data/kependudukan.db"
    assert set(first["message"]) == {"id", "en"}
    assert NIK not in str(hook.requests[0]) and "3174********0001" in str(body)

    message = smtp.messages[0]
    assert message["Subject"] == subject(2, "Dukcapil Kota Contoh")
    assert message["Subject"] == "[Pindai] 2 temuan baru / 2 new findings — Dukcapil Kota Contoh"
    assert smtp.envelopes[0] == ("pindai@contoh.go.id", ["csirt@contoh.go.id", "kominfo@contoh.go.id"])
    text = message.get_content()
    assert "Pindai menemukan 2 temuan baru" in text and "Pindai found 2 new finding(s)" in text
    assert "PND-DB-002" in text and "PND-DB-004" not in text and NIK not in text


def test_nothing_new_sends_nothing() -> None:
    with webhook_receiver() as hook:
        assert notify(PREVIOUS, PREVIOUS, NotifyEntry(webhook_url=hook.url)) == []
    assert hook.requests == []


def test_webhook_retries_once_then_reports_failure() -> None:
    pauses: list[float] = []
    with webhook_receiver(statuses=[503, 200]) as hook:
        (ok,) = notify(CURRENT, PREVIOUS, NotifyEntry(webhook_url=hook.url), sleep=pauses.append)
    assert ok.ok and ok.attempts == 2 and len(hook.requests) == 2 and pauses == [1.0]
    with webhook_receiver(statuses=[500, 502]) as hook:
        (failed,) = notify(CURRENT, PREVIOUS, NotifyEntry(webhook_url=hook.url), sleep=pauses.append)
    assert not failed.ok and failed.detail == "HTTP 502" and failed.attempts == 2


def test_unreachable_channels_are_reported_not_raised() -> None:
    port = free_port()  # nothing listens there
    entry = NotifyEntry(webhook_url=f"http://127.0.0.1:{port}/x", smtp_host="127.0.0.1", smtp_port=port,
                        mail_to=["a@contoh.go.id"])
    deliveries = notify(CURRENT, PREVIOUS, entry, timeout=2, sleep=lambda s: None)
    assert [(d.channel, d.ok) for d in deliveries] == [("webhook", False), ("email", False)]
    assert "ConnectionError" in deliveries[0].detail and "ConnectionRefused" in deliveries[1].detail


def test_missing_password_env_is_a_failed_delivery(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PINDAI_TEST_SMTP_PASSWORD", raising=False)
    entry = NotifyEntry(smtp_host="127.0.0.1", smtp_user="pindai", smtp_password_env="PINDAI_TEST_SMTP_PASSWORD",
                        smtp_starttls=True, mail_to=["a@contoh.go.id"])
    (delivery,) = notify(CURRENT, PREVIOUS, entry)
    assert not delivery.ok and "PINDAI_TEST_SMTP_PASSWORD" in delivery.detail


def test_smtp_login_without_tls_is_refused_unless_explicitly_allowed() -> None:
    """Security review 2026-12-06 (NEW-16): smtp_starttls defaulted to false and login went in clear."""
    with pytest.raises(ValueError, match="smtp_starttls"):
        NotifyEntry(smtp_host="127.0.0.1", smtp_user="pindai", smtp_password_env="P", mail_to=["a@contoh.go.id"])
    assert NotifyEntry(smtp_host="h", smtp_user="u", smtp_login_without_tls=True).smtp_login_without_tls
    assert NotifyEntry(smtp_host="h").smtp_port == 25  # no login: no TLS needed


def test_starttls_and_login_with_password_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    crt, key = make_self_signed(tmp_path, "localhost")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(crt, key)
    monkeypatch.setenv("SSL_CERT_FILE", str(crt))  # trust the throw-away certificate
    monkeypatch.setenv("PINDAI_TEST_SMTP_PASSWORD", "rahasia-123")
    with smtp_receiver(tls_context=context, credentials=("pindai", "rahasia-123")) as smtp:
        entry = NotifyEntry(smtp_host="localhost", smtp_port=smtp.port, smtp_starttls=True, smtp_user="pindai",
                            smtp_password_env="PINDAI_TEST_SMTP_PASSWORD", mail_to=["csirt@contoh.go.id"])
        (delivery,) = notify(CURRENT, PREVIOUS, entry)
    assert delivery.ok, delivery.detail
    assert smtp.logins == [("pindai", "rahasia-123")] and len(smtp.messages) == 1
