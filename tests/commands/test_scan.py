"""`pindai scan` tells the truth about what it could not observe: real silent and plain-HTTP ports."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from click.testing import CliRunner

from scanner.cli import main


@contextmanager
def silent_port() -> Iterator[int]:
    """A port whose kernel accepts TCP connections (listen backlog) and that never says a word."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()


class _Hello(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"<html><body>halo</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def plain_http_server() -> Iterator[int]:
    """A real plain-HTTP server (no TLS) on 127.0.0.1."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hello)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def _scan(*args: str):
    return CliRunner().invoke(main, ["scan", *args], catch_exceptions=False)


def test_unreachable_site_is_not_assessed_everywhere(tmp_path: Path, monkeypatch) -> None:
    """Posture, HTML card, terminal opening line, history status and exit code agree."""
    monkeypatch.setenv("PINDAI_STORE", f"sqlite:///{tmp_path / 'h.db'}")
    html = tmp_path / "dead.html"
    result = _scan("http://127.0.0.1:1/", "--html", str(html), "--timeout", "2")
    assert result.exit_code == 3, result.output
    assert "Tidak ada temuan." not in result.stdout
    assert result.stdout.startswith("Tidak dapat dinilai")
    page = html.read_text(encoding="utf-8")
    assert "card posture posture-good" not in page and "Baik — tidak ada temuan terbuka" not in page
    assert "card posture posture-not_assessed" in page and "Tidak dapat dinilai" in page
    as_json = _scan("http://127.0.0.1:1/", "--format", "json", "--no-store", "--lang", "en")
    assert json.loads(as_json.stdout)["summary"]["risk_posture"] == "not_assessed"
    listed = CliRunner().invoke(main, ["history"]).stdout
    assert "not_assessed" in listed and " complete " not in listed


def test_partly_observed_scan_is_partial(tmp_path: Path) -> None:
    source = tmp_path / "app"
    source.mkdir()
    (source / "ok.py").write_text("print('halo')\n", encoding="utf-8")
    result = _scan(str(source), "http://127.0.0.1:1/", "--no-store", "--format", "json", "--lang", "en")
    assert result.exit_code == 3
    assert json.loads(result.stdout)["summary"]["risk_posture"] == "partial"
    table = _scan(str(source), "http://127.0.0.1:1/", "--no-store", "--lang", "en")
    assert table.stdout.startswith("No findings in what was observed, but 1 of 2 targets")


def test_tls_on_a_silent_port_is_inconclusive() -> None:
    with silent_port() as port:
        result = _scan(f"https://127.0.0.1:{port}/", "--probe", "tls", "--timeout", "0.5", "--no-store",
                       "--format", "json", "--lang", "en")
    assert result.exit_code == 3, result.output
    data = json.loads(result.stdout)
    (facts,) = data["facts"]
    assert facts["status"] == "inconclusive" and "no answer" in facts["reason"]
    assert data["summary"]["risk_posture"] == "not_assessed"
    tested = [r for rows in data["compliance"].values() for r in rows if r["tested"]]
    assert tested == []  # nothing reads as "no findings (tested)" without a conclusive observation


def test_tls_on_a_plain_http_port_is_inconclusive_and_says_why() -> None:
    with plain_http_server() as port:
        result = _scan(f"https://127.0.0.1:{port}/", "--probe", "tls", "--timeout", "2", "--no-store",
                       "--format", "json", "--lang", "id")
    assert result.exit_code == 3, result.output
    data = json.loads(result.stdout)
    (facts,) = data["facts"]
    assert facts["status"] == "inconclusive" and "plain HTTP" in facts["reason"]
    assert "fallback_scsv" not in facts["data"]
    (row,) = data["summary"]["inconclusive"]
    assert row["reason"].startswith("bukan TLS: port itu menjawab HTTP biasa")
