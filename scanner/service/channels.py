"""Send one notification: JSON webhook, Slack-compatible webhook, Telegram bot message, or SMTP mail.

Every send returns a :class:`Delivery` and never raises. It says whether the payload certainly
arrived (``ok``), certainly did not and may be tried again (``retry``), or *may have arrived*
(``uncertain``: the connection broke or timed out after the request was sent), which is never
reported as a plain failure and never sent again automatically (receivers get the same
``Idempotency-Key`` header and mail Message-ID on every attempt, so they can drop repeats).
Destinations (webhook URLs, bot tokens, addresses) never appear in logs or details.
"""

from __future__ import annotations

import logging
import os
import smtplib
import socket
import ssl
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from urllib3.exceptions import NewConnectionError

from scanner import __version__
from scanner.net.session import http_session
from scanner.pii import scrub

log = logging.getLogger(__name__)

RETRY_DELAY_S = 1.0
MAX_ATTACHMENT_BYTES = 20_000_000  # larger reports go as a link or not at all (most mail servers refuse > 25 MB)
_RETRY_STATUSES = frozenset({408, 425, 429})


@dataclass(frozen=True)
class Delivery:
    """Outcome of one notification on one channel."""

    channel: str  # "webhook", "slack", "telegram" or "email"
    ok: bool
    detail: str
    attempts: int = 1
    uncertain: bool = False  # sent, but no answer: it may have arrived
    retry: bool = True  # a failure a later attempt may overcome (refused, 5xx, 429)
    audience: str = ""  # "" for the officer's fleet message, else the agency
    key: str = ""  # idempotency key

    @property
    def state(self) -> str:
        """``sent``, ``uncertain`` (may have arrived), ``retry`` or ``failed``."""
        if self.ok:
            return "sent"
        if self.uncertain:
            return "uncertain"
        return "retry" if self.retry else "failed"

    def describe(self) -> str:
        """One bilingual phrase for summaries and logs."""
        return {
            "sent": f"ok ({self.detail})",
            "uncertain": f"MAY HAVE ARRIVED / mungkin sudah terkirim ({self.detail}); not resent",
            "retry": f"FAILED / gagal ({self.detail}); will retry / akan dicoba lagi",
            "failed": f"FAILED / gagal ({self.detail})",
        }[self.state]


def safe_url(url: str) -> str:
    """Scheme and host only: webhook paths and bot URLs carry tokens."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}/..."


def _never_sent(exc: requests.RequestException) -> bool:
    """True when the request cannot have reached the receiver (no connection, no TLS session)."""
    if isinstance(exc, (requests.ConnectTimeout, requests.exceptions.SSLError)):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, NewConnectionError)


def post_json(channel: str, url: str, body: dict[str, Any], key: str, *, timeout: float = 10.0,
              sleep: Callable[[float], None] = time.sleep) -> Delivery:
    """POST ``body``; one quick retry on a refused connection or a 5xx, never after an unanswered send.

    Sent with ``scanner.net.session.http_session`` (no proxy or ~/.netrc from the environment),
    with the ``Idempotency-Key`` header.
    """
    detail = ""
    for attempt in (1, 2):
        try:
            with http_session(user_agent=f"pindai/{__version__}") as session:
                session.hooks["response"] = []  # -vv logs request URLs; these carry tokens (Telegram, Slack)
                reply = session.post(url, json=body, timeout=timeout, allow_redirects=False,
                                     headers={"Idempotency-Key": key})
            log.debug("%s %s -> HTTP %d", channel, safe_url(url), reply.status_code)
        except requests.RequestException as exc:
            detail = type(exc).__name__
            if not _never_sent(exc):
                log.warning("%s %s: no answer after sending (%s): the message may have arrived; not resent",
                            channel, safe_url(url), detail)
                return Delivery(channel, False, detail, attempt, uncertain=True, key=key)
        else:
            if 200 <= reply.status_code < 300:
                return Delivery(channel, True, f"HTTP {reply.status_code}", attempt, key=key)
            detail = f"HTTP {reply.status_code}"
            if reply.status_code < 500 and reply.status_code not in _RETRY_STATUSES:
                log.warning("%s %s refused the message: %s", channel, safe_url(url), detail)
                return Delivery(channel, False, detail, attempt, retry=False, key=key)
        log.warning("%s %s attempt %d failed: %s", channel, safe_url(url), attempt, detail)
        if attempt == 1:
            sleep(RETRY_DELAY_S)
    return Delivery(channel, False, detail, 2, key=key)


@dataclass(frozen=True)
class MailServer:
    """How to reach the SMTP server: STARTTLS or implicit TLS, login with a password from the environment."""

    host: str
    port: int = 25
    user: str = ""
    password_env: str = ""
    starttls: bool = False
    tls: bool = False
    sender: str = "pindai@localhost"


def _mail(server: MailServer, to: Sequence[str], subject: str, text: str, key: str,
          attachments: Sequence[Path]) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = server.sender
    msg["To"] = ", ".join(to)
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = f"<{key}@pindai.invalid>"  # the same on every attempt: receivers can drop repeats
    msg.set_content(text)
    for path in attachments:
        if path.is_file() and path.stat().st_size <= MAX_ATTACHMENT_BYTES:
            subtype = {".html": "html", ".json": "json", ".csv": "csv"}.get(path.suffix, "octet-stream")
            maintype = "text" if subtype in ("html", "csv") else "application"
            msg.add_attachment(path.read_bytes(), maintype=maintype, subtype=subtype, filename=path.name)
    return msg


def send_mail(server: MailServer, to: Sequence[str], subject: str, text: str, key: str, *,
              attachments: Sequence[Path] = (), timeout: float = 10.0, audience: str = "") -> Delivery:
    """Send one mail to ``to``; a failure before DATA may be retried, a broken DATA may have arrived."""
    if not to:
        return Delivery("email", False, "no recipient / tidak ada penerima", 0, retry=False, audience=audience,
                        key=key)
    password = ""
    if server.user:
        password = os.environ.get(server.password_env, "") if server.password_env else ""
        if not password:
            reason = f"environment variable {server.password_env or '(smtp_password_env)'} is not set"
            log.warning("e-mail not sent: %s", reason)
            return Delivery("email", False, reason, 0, retry=False, audience=audience, key=key)
    msg = _mail(server, to, subject, text, key, attachments)
    sending = False
    refused: dict[str, Any] | None = None
    try:
        smtp_class = smtplib.SMTP_SSL if server.tls else smtplib.SMTP
        kwargs: dict[str, Any] = {"context": ssl.create_default_context()} if server.tls else {}
        with smtp_class(server.host, server.port, timeout=timeout, **kwargs) as smtp:
            smtp.ehlo()
            if server.starttls and not server.tls:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if server.user:
                smtp.login(server.user, password)
            sending = True
            refused = smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        if refused is not None:  # the server took the message; only the goodbye failed
            return Delivery("email", True, f"sent to {len(to)} recipient(s)", audience=audience, key=key)
        # recipients' addresses in a refusal are personal data: masked like every evidence
        detail = scrub(f"{type(exc).__name__}: {str(exc).replace(password, '***') if password else exc}")
        broken = isinstance(exc, (socket.timeout, smtplib.SMTPServerDisconnected, ConnectionError))
        log.warning("e-mail via %s:%d failed: %s", server.host, server.port, detail)
        if sending and broken:
            return Delivery("email", False, detail, uncertain=True, audience=audience, key=key)
        permanent = isinstance(exc, smtplib.SMTPResponseException) and 500 <= exc.smtp_code < 600
        return Delivery("email", False, detail, retry=not permanent, audience=audience, key=key)
    if refused:
        return Delivery("email", False, f"refused {len(refused)} recipient(s)", retry=False, audience=audience,
                        key=key)
    return Delivery("email", True, f"sent to {len(to)} recipient(s)", audience=audience, key=key)
