"""Tokens a site hands out in URLs never reach a report or the store (security review 2026-12-06, NEW-10)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from fixtures.hostile.recording import RecordingSite
from scanner.cli import main
from scanner.net import redact


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


SIGNED = _b64(b'{"alg":"HS256","typ":"JWT"}') + "." + _b64(b'{"sub":"42","exp":4102444800,"iat":1700000000}')
TOKEN = SIGNED + "." + _b64(hmac.new(b"your-256-bit-secret", SIGNED.encode(), hashlib.sha256).digest())
SIGNATURE = TOKEN.rsplit(".", 1)[1]


def test_every_output_and_the_store_are_free_of_url_tokens(tmp_path: Path) -> None:
    routes = {
        "/": (302, {"Location": f"/home?token={TOKEN}"}, b""),
        "/home": (200, {}, f"<a href='/api/v1/me?access_token={TOKEN}'>me</a>"
                           "<a href='/api/v1/keys?api_key=KUNCI-RAHASIA-123&page=2'>k</a>".encode()),
    }
    default = (401, {"Content-Type": "application/json"}, b'{"error": "unauthorized"}')
    with RecordingSite("127.0.0.1", routes, default=default) as site:
        outputs = {fmt: tmp_path / f"r.{fmt}" for fmt in ("json", "html", "sarif", "csv", "markdown", "junit")}
        args = ["scan", site.url, "--store", f"sqlite:///{tmp_path / 'h.db'}", "--timeout", "3"]
        for fmt, path in outputs.items():
            args += [f"--{fmt}", str(path)]
        result = CliRunner().invoke(main, args)
    assert any(r.path.startswith("/home?token=") for r in site.requests), "the scan never saw the token"
    assert outputs["json"].exists(), result.output
    leaked = sorted(p.name for p in tmp_path.iterdir()
                    if SIGNATURE.encode() in p.read_bytes() or b"KUNCI-RAHASIA-123" in p.read_bytes())
    assert leaked == []
    assert SIGNATURE not in result.output and "KUNCI-RAHASIA-123" not in result.output


@pytest.mark.parametrize(("text", "expected"), [
    (f"GET /home?token={TOKEN}&x=1", "GET /home?token=***&x=1"),
    (f"response:GET /p/{TOKEN}/q", "response:GET /p/<jwt>/q"),
    ("/p?password+=Q&sslpassword=w&keyword=ok&monkey=1&API_KEY=z", "/p?password+=***&sslpassword=***&keyword=ok"
                                                                   "&monkey=1&API_KEY=***"),
])
def test_redact_secrets(text: str, expected: str) -> None:
    assert redact.redact_secrets(text) == expected


def test_redaction_is_linear_on_hostile_input() -> None:
    """A hang detector, not a speed goal: 1 MB of token-like text finishes well within the bound."""
    started = time.monotonic()
    redact.redact_secrets("eyJ" * 350_000)
    redact.redact_secrets("eyJa." * 200_000)
    redact.redact_secrets("?token=" * 150_000)
    assert time.monotonic() - started < 60
