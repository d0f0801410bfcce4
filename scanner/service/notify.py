"""What a scan announces (``[notify]`` in a profile): the messages, and where each one goes.

A finding is *new* when it is open, at or above ``notify.min_severity`` and its
fingerprint was not in the previous scan. The officer's channels (JSON webhook, Slack,
Telegram, ``mail_to``) get the fleet message when something is new (or on every run with
``digest = "always"``); with ``agency_mail``, each agency's owner contacts (from the
inventory) get their own mail holding only their targets' findings, with their report
attached. Only masked evidence leaves the machine: evidence and messages are passed
through :func:`scanner.pii.scrub` once more. Each message has an idempotency key
(scan, channel, audience); :mod:`scanner.service.outbox` records and retries them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner import __version__
from scanner.model import Finding, ScanResult, Severity
from scanner.pii import scrub
from scanner.profile import NotifyEntry
from scanner.service.channels import Delivery, MailServer, post_json, send_mail

log = logging.getLogger(__name__)

MAX_LISTED = 200  # findings listed in one message; the counts always cover all of them
CHAT_LISTED = 10  # findings named in a chat message
TELEGRAM_MAX = 4000  # Telegram refuses texts over 4,096 characters

__all__ = ["Delivery", "Message", "messages", "new_findings", "notify", "send", "subject"]


@dataclass(frozen=True)
class Message:
    """One notification to one channel and audience, ready to send or to keep in the outbox."""

    channel: str  # "webhook", "slack", "telegram" or "email"
    audience: str  # "" for the officer (fleet), else the agency
    subject: str
    text: str
    body: dict[str, Any] = field(default_factory=dict)  # the JSON webhook's payload
    attachments: tuple[str, ...] = ()
    key: str = ""


def idempotency_key(scan_id: str, channel: str, audience: str) -> str:
    """The same value for every attempt of one message: receivers drop repeats by it."""
    return hashlib.sha256(f"{scan_id}\x1f{channel}\x1f{audience}".encode()).hexdigest()[:32]


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


def chat_text(data: dict[str, Any]) -> str:
    """A short bilingual chat message (Slack, Telegram) from :func:`payload`'s data."""
    counts = data["counts"]
    by_severity = ", ".join(f"{k} {v}" for k, v in counts["new_by_severity"].items() if v)
    lines = [
        subject(counts["new"], data["profile"]),
        f"Pemindaian / scan {data['scan_id']}: {counts['open']} terbuka / open"
        + (f"; baru / new: {by_severity}" if by_severity else ""),
    ]
    for item in data["findings"][:CHAT_LISTED]:
        lines.append(f"• [{item['severity'].upper()}] {item['rule_id']} {item['target']}")
    if counts["new"] > CHAT_LISTED:
        lines.append(f"… +{counts['new'] - CHAT_LISTED}")
    return "\n".join(lines)[:TELEGRAM_MAX]


def slack_escape(text: str) -> str:
    """Slack's three control characters escaped, so no text can become a mention (``<!channel>``) or a link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def agency_subject(agency: str, open_count: int, name: str) -> str:
    return f"[Pindai] Laporan / Report {agency}: {open_count} temuan terbuka / open findings — {name}"


def _officer_channels(entry: NotifyEntry) -> list[str]:
    wanted = [("webhook", entry.webhook_url), ("slack", entry.slack_webhook_url),
              ("telegram", entry.telegram_chat_id), ("email", entry.smtp_host and entry.mail_to)]
    return [name for name, configured in wanted if configured]


def messages(
    result: ScanResult,
    previous: ScanResult | None,
    entry: NotifyEntry,
    *,
    contacts: Mapping[str, tuple[str, ...]] | None = None,
    full_report: Path | None = None,
    agency_reports: Mapping[str, Path] | None = None,
) -> list[Message]:
    """Every message ``result`` calls for under ``entry``: the officer's, then one per agency with contacts."""
    from scanner.report.agencies import split_by_agency

    fresh = new_findings(result, previous, entry.min_severity)
    found: list[Message] = []
    if fresh or entry.digest == "always":
        data = payload(result, previous, fresh, entry.min_severity)
        text, title = mail_body(data), subject(len(fresh), data["profile"])
        for channel in _officer_channels(entry):
            key = idempotency_key(result.scan_id, channel, "")
            body = {**data, "idempotency_key": key}
            attached = (str(full_report),) if channel == "email" and full_report else ()
            found.append(Message(channel, "", title, chat_text(data) if channel in ("slack", "telegram") else text,
                                 body if channel == "webhook" else {}, attached, key))
    else:
        log.info("scan %s: no new findings at or above %s; nothing to notify", result.scan_id, entry.min_severity)
    if entry.agency_mail and entry.smtp_host:
        previous_parts = split_by_agency(previous) if previous else {}
        for agency, part in split_by_agency(result).items():
            if not (contacts or {}).get(agency):
                continue
            own_fresh = new_findings(part, previous_parts.get(agency), entry.min_severity)
            data = payload(part, previous_parts.get(agency), own_fresh, entry.min_severity)
            data["findings"] = [_finding_entry(f) for f in _by_severity(part.open_findings())[:MAX_LISTED]]
            report = (agency_reports or {}).get(agency)
            link = f"\nDasbor / Dashboard: {entry.dashboard_url}\n" if entry.dashboard_url else ""
            found.append(Message("email", agency, agency_subject(agency, data["counts"]["open"], data["profile"]),
                                 agency_body(agency, data) + link, {}, (str(report),) if report else (),
                                 idempotency_key(result.scan_id, "email", agency)))
    return found


def _by_severity(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (-f.severity.rank, -f.priority, f.rule_id, f.target_id, f.item_key))


def agency_body(agency: str, data: dict[str, Any]) -> str:
    """The agency mail: its open findings (every severity) and how many are new at or above the threshold."""
    counts = data["counts"]
    lines = [
        f"Yth. {agency},",
        "",
        f"Terlampir laporan Pindai untuk aset {agency} (pemindaian {data['scan_id']}): {counts['open']} temuan "
        f"terbuka, {counts['new']} baru (>= {data['min_severity']}). Mohon ditindaklanjuti.",
        f"Attached is the Pindai report for {agency}'s assets (scan {data['scan_id']}): {counts['open']} open "
        f"finding(s), {counts['new']} new (>= {data['min_severity']}). Please follow up.",
        "",
    ]
    for item in data["findings"]:
        lines.append(f"[{item['severity'].upper()}] {item['rule_id']}  {item['target']}")
        lines.append(f"  {item['message'].get('id', '')}")
    lines += ["", "-- ", f"Pindai {data['tool_version']}"]
    return "\n".join(lines) + "\n"


def mail_server(entry: NotifyEntry) -> MailServer:
    return MailServer(entry.smtp_host, entry.smtp_port, entry.smtp_user, entry.smtp_password_env,
                      entry.smtp_starttls, entry.smtp_tls, entry.mail_from or "pindai@localhost")


def send(
    message: Message,
    entry: NotifyEntry,
    *,
    contacts: Mapping[str, tuple[str, ...]] | None = None,
    timeout: float = 10.0,
    sleep: Callable[[float], None] = time.sleep,
) -> Delivery:
    """Send ``message`` to where ``entry`` (and the agency ``contacts``) say it goes. Never raises."""
    key = message.key
    if message.channel == "webhook" and entry.webhook_url:
        return post_json("webhook", entry.webhook_url, message.body, key, timeout=timeout, sleep=sleep)
    if message.channel == "slack" and entry.slack_webhook_url:
        return post_json("slack", entry.slack_webhook_url, {"text": slack_escape(message.text)}, key,
                         timeout=timeout, sleep=sleep)
    if message.channel == "telegram" and entry.telegram_chat_id:
        token = os.environ.get(entry.telegram_token_env, "") if entry.telegram_token_env else ""
        if not token:
            name = entry.telegram_token_env or "(telegram_token_env)"
            return Delivery("telegram", False, f"environment variable {name} is not set", 0, retry=False, key=key)
        url = f"{entry.telegram_api_url.rstrip('/')}/bot{token}/sendMessage"
        return post_json("telegram", url, {"chat_id": entry.telegram_chat_id, "text": message.text}, key,
                         timeout=timeout, sleep=sleep)
    if message.channel == "email" and entry.smtp_host:
        to = list(entry.mail_to) if not message.audience else list((contacts or {}).get(message.audience, ()))
        return send_mail(mail_server(entry), to, message.subject, message.text, key,
                         attachments=[Path(p) for p in message.attachments], timeout=timeout,
                         audience=message.audience)
    return Delivery(message.channel, False, "channel no longer configured / kanal tidak lagi dikonfigurasi", 0,
                    retry=False, audience=message.audience, key=key)


def notify(
    result: ScanResult,
    previous: ScanResult | None,
    entry: NotifyEntry,
    *,
    timeout: float = 10.0,
    sleep: Callable[[float], None] = time.sleep,
) -> list[Delivery]:
    """Send ``result``'s officer messages at once, without the outbox (empty when nothing is new)."""
    deliveries = [send(m, entry, timeout=timeout, sleep=sleep) for m in messages(result, previous, entry)]
    for d in deliveries:
        log.info("scan %s: %s notification %s", result.scan_id, d.channel, d.describe())
    return deliveries
