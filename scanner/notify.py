"""Announce new findings of a scan by webhook and e-mail (``[notify]`` in a profile).

A finding is *new* when it is open, at or above ``notify.min_severity`` and its
fingerprint was not in the previous scan. Only masked evidence leaves the machine:
evidence and messages are passed through :func:`scanner.pii.scrub` once more.
Delivery never raises; every attempt is logged and returned as a :class:`Delivery`.
"""

from __future__ import annotations

import json
import logging
import os
import smtplib
import ssl
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from scanner import __version__
from scanner.model import Finding, ScanResult, Severity
from scanner.net.session import http_session
from scanner.pii import scrub
from scanner.profile import NotifyEntry

log = logging.getLogger(__name__)

MAX_LISTED = 200  # findings listed in one message; the counts always cover all of them
RETRY_DELAY_S = 1.0


@dataclass(frozen=True)
class Delivery:
    """Outcome of one notification channel."""

    channel: str  # "webhook" or "email"
    ok: bool
    detail: str
    attempts: int = 1


def new_findings(result: ScanResult, previous: ScanResult | None, min_severity: str) -> list[Finding]:
    """Open findings at or above ``min_severity`` whose fingerprint the previous scan did not have."""
    threshold = Severity(min_severity)
    seen = {f.fingerprint for f in previous.findings} if previous else set()
    fresh = [f for f in result.open_findings() if f.severity.at_least(threshold) and f.fingerprint not in seen]
    return sorted(fresh, key=lambda f: (-f.severity.rank, -f.priority, f.rule_id, f.target_id, f.item_key))


def profile_name(result: ScanResult) -> str:
    """The profile's ``name``, else its file name, else ``pindai``."""
    name = str(result.profile.get("name") or "")
    path = str(result.profile.get("path") or "")
    return name or (Path(path).stem if path else "pindai")


def _finding_entry(finding: Finding) -> dict[str, Any]:
    return {
        "fingerprint": finding.fingerprint,
        "rule_id": finding.rule_id,
        "severity": finding.severity.value,
        "priority": finding.priority,
        "target": finding.target_id,
        "agency": finding.agency,
        "item": scrub(finding.item_key),
        "title": dict(finding.title),
        "message": scrub(dict(finding.message)),
        "evidence": scrub(finding.evidence),
    }


def payload(result: ScanResult, previous: ScanResult | None, fresh: list[Finding], min_severity: str) -> dict[str, Any]:
    """The webhook body (JSON): scan id, counts and the new findings."""
    open_counts = Counter(f.severity.value for f in result.open_findings())
    new_counts = Counter(f.severity.value for f in fresh)
    return {
        "tool": "pindai",
        "tool_version": __version__,
        "scan_id": result.scan_id,
        "profile": profile_name(result),
        "started_at": result.started_at,
        "finished_at": result.finished_at,
        "previous_scan_id": previous.scan_id if previous else None,
        "min_severity": min_severity,
        "counts": {
            "new": len(fresh),
            "new_by_severity": {s.value: new_counts.get(s.value, 0) for s in Severity},
            "open": sum(open_counts.values()),
            "open_by_severity": {s.value: open_counts.get(s.value, 0) for s in Severity},
            "inconclusive": len(result.inconclusive()),
            "partial": len(result.partial()),
            "evaluation_errors": len(result.evaluation_errors),
        },
        "findings": [_finding_entry(f) for f in fresh[:MAX_LISTED]],
        "truncated": max(0, len(fresh) - MAX_LISTED),
    }


def subject(count: int, name: str) -> str:
    return f"[Pindai] {count} temuan baru / {count} new findings — {name}"


def mail_body(data: dict[str, Any]) -> str:
    """Plain-text bilingual body built from :func:`payload`'s data."""
    n, threshold = data["counts"]["new"], data["min_severity"]
    lines = [
        f"Pindai menemukan {n} temuan baru (tingkat keparahan >= {threshold}) pada pemindaian {data['scan_id']}.",
        f"Pindai found {n} new finding(s) (severity >= {threshold}) in scan {data['scan_id']}.",
        "",
        f"Profil / Profile: {data['profile']}",
        f"Waktu / Time: {data['started_at']} - {data['finished_at']}",
        f"Pemindaian sebelumnya / Previous scan: {data['previous_scan_id'] or 'tidak ada / none'}",
        f"Temuan terbuka / Open findings: {data['counts']['open']}; "
        f"tidak konklusif / inconclusive observations: {data['counts']['inconclusive']}",
        f"Cakupan tidak lengkap / Partial coverage: {data['counts']['partial']} pengamatan terpotong / observations "
        f"cut short, {data['counts']['evaluation_errors']} aturan gagal dievaluasi / rule evaluation errors",
        "",
    ]
    for item in data["findings"]:
        evidence = json.dumps(item["evidence"], ensure_ascii=False, sort_keys=True)
        lines += [
            f"[{item['severity'].upper()}] {item['rule_id']}  {item['target']}",
            f"  ID: {item['message'].get('id', '')}",
            f"  EN: {item['message'].get('en', '')}",
            f"  Bukti / Evidence: {evidence[:300]}",
            f"  Sidik jari / Fingerprint: {item['fingerprint']}",
            "",
        ]
    if data["truncated"]:
        lines.append(f"... dan {data['truncated']} lainnya / and {data['truncated']} more")
    lines.append("-- ")
    lines.append(f"Pindai {data['tool_version']}")
    return "\n".join(lines) + "\n"


def _safe_url(url: str) -> str:
    """Scheme and host only: webhook paths often carry tokens."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}/..."


def send_webhook(
    url: str, data: dict[str, Any], *, timeout: float = 10.0, sleep: Callable[[float], None] = time.sleep
) -> Delivery:
    """POST ``data`` as JSON; one retry on a connection error or a non-2xx reply.

    Sent with ``scanner.net.session.http_session``: no proxy or ~/.netrc from the environment.
    """
    detail = ""
    for attempt in (1, 2):
        try:
            with http_session(user_agent=f"pindai/{__version__}") as session:
                reply = session.post(url, json=data, timeout=timeout, allow_redirects=False)
            if 200 <= reply.status_code < 300:
                return Delivery("webhook", True, f"HTTP {reply.status_code}", attempt)
            detail = f"HTTP {reply.status_code}"
        except requests.RequestException as exc:
            detail = f"{type(exc).__name__}"
        log.warning("webhook %s attempt %d failed: %s", _safe_url(url), attempt, detail)
        if attempt == 1:
            sleep(RETRY_DELAY_S)
    return Delivery("webhook", False, detail, 2)


def send_mail(entry: NotifyEntry, data: dict[str, Any], *, timeout: float = 10.0) -> Delivery:
    """Send the plain-text bilingual message over SMTP (optionally STARTTLS, optionally login)."""
    if not entry.mail_to:
        return Delivery("email", False, "notify.mail_to is empty", 0)
    password = ""
    if entry.smtp_user:
        password = os.environ.get(entry.smtp_password_env, "") if entry.smtp_password_env else ""
        if not password:
            reason = f"environment variable {entry.smtp_password_env or '(smtp_password_env)'} is not set"
            log.warning("e-mail not sent: %s", reason)
            return Delivery("email", False, reason, 0)
    msg = EmailMessage()
    msg["Subject"] = subject(data["counts"]["new"], data["profile"])
    msg["From"] = entry.mail_from or "pindai@localhost"
    msg["To"] = ", ".join(entry.mail_to)
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain="pindai.local")
    msg.set_content(mail_body(data))
    try:
        with smtplib.SMTP(entry.smtp_host, entry.smtp_port, timeout=timeout) as smtp:
            smtp.ehlo()
            if entry.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if entry.smtp_user:
                smtp.login(entry.smtp_user, password)
            refused = smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        detail = f"{type(exc).__name__}: {str(exc).replace(password, '***') if password else exc}"
        log.warning("e-mail via %s:%d failed: %s", entry.smtp_host, entry.smtp_port, detail)
        return Delivery("email", False, detail)
    if refused:
        return Delivery("email", False, f"refused recipients: {', '.join(sorted(refused))}")
    return Delivery("email", True, f"sent to {len(entry.mail_to)} recipient(s)")


def notify(
    result: ScanResult,
    previous: ScanResult | None,
    entry: NotifyEntry,
    *,
    timeout: float = 10.0,
    sleep: Callable[[float], None] = time.sleep,
) -> list[Delivery]:
    """Announce ``result``'s new findings on every configured channel; empty when nothing is new."""
    if not (entry.webhook_url or entry.smtp_host):
        return []
    fresh = new_findings(result, previous, entry.min_severity)
    if not fresh:
        log.info("scan %s: no new findings at or above %s; nothing to notify", result.scan_id, entry.min_severity)
        return []
    data = payload(result, previous, fresh, entry.min_severity)
    deliveries: list[Delivery] = []
    if entry.webhook_url:
        deliveries.append(send_webhook(entry.webhook_url, data, timeout=timeout, sleep=sleep))
    if entry.smtp_host:
        deliveries.append(send_mail(entry, data, timeout=timeout))
    for d in deliveries:
        log.info("scan %s: %s notification %s (%s)", result.scan_id, d.channel, "sent" if d.ok else "FAILED", d.detail)
    return deliveries
