"""Notification receivers: an HTTP webhook sink and an SMTP sink, both on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class WebhookReceiver:
    """Records JSON POSTs; answers with ``statuses`` in turn (then 200)."""

    statuses: list[int] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""
    on_request: Callable[[], None] | None = None

    @property
    def bodies(self) -> list[Any]:
        return [r["json"] for r in self.requests]


@contextmanager
def webhook_receiver(statuses: list[int] | None = None, *, port: int = 0,
                     delay: float = 0.0) -> Iterator[WebhookReceiver]:
    """Records each POST before answering; ``delay`` seconds pass between reading a request and answering."""
    receiver = WebhookReceiver(statuses=list(statuses or []))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            receiver.requests.append({"path": self.path, "headers": dict(self.headers), "json": json.loads(body)})
            status = receiver.statuses.pop(0) if receiver.statuses else 200
            if delay:
                stalled.wait(delay)
            if receiver.on_request:
                receiver.on_request()
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    stalled = threading.Event()  # set on exit: a stalled answer ends with the test
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/pindai-secret-token"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        stalled.set()
        server.shutdown()
        server.server_close()


@dataclass
class SmtpReceiver:
    """Messages received by the local SMTP server, parsed, plus the envelope and login."""

    host: str = "127.0.0.1"
    port: int = 0
    messages: list[Message] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)


@contextmanager
def smtp_receiver(
    *, tls_context: ssl.SSLContext | None = None, credentials: tuple[str, str] | None = None, host: str = "127.0.0.1"
) -> Iterator[SmtpReceiver]:
    """An aiosmtpd server; with ``tls_context`` it offers STARTTLS, with ``credentials`` it requires AUTH."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    receiver = SmtpReceiver(host=host, port=free_port())

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            receiver.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            receiver.messages.append(message_from_bytes(envelope.content, policy=default_policy))
            return "250 OK"

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        if not isinstance(auth_data, LoginPassword) or credentials is None:
            return AuthResult(success=False, handled=False)
        login = (auth_data.login.decode(), auth_data.password.decode())
        receiver.logins.append(login)
        return AuthResult(success=login == credentials)

    kwargs: dict[str, Any] = {}
    if credentials is not None:
        kwargs.update(authenticator=authenticator, auth_required=True, auth_require_tls=tls_context is not None)
    if tls_context is not None:
        kwargs.update(tls_context=tls_context, require_starttls=True)
    controller = Controller(Handler(), hostname="127.0.0.1", port=receiver.port, server_hostname="localhost",
                            **kwargs)
    controller.start()
    try:
        yield receiver
    finally:
        controller.stop()
