"""Local scan targets for daemon and distributed tests: SQLite files, HTTP APIs, a test rule pack."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

# Rules over the database and auth probes' facts; they cite a real catalogue article.
RULES = """\
pack: services
rules:
  - id: PND-SVC-001
    probe: database
    severity: high
    title: {id: "Tabel berisi data pribadi", en: "Table holds personal data"}
    description: {id: "Data pribadi harus dilindungi.", en: "Personal data must be protected."}
    when: facts.personal_tables
    item_key: item.table
    message: {id: "Tabel {{ item.table }} berisi data pribadi", en: "Table {{ item.table }} holds personal data"}
    remediation: {id: ["Batasi akses."], en: ["Restrict access."]}
    references: ["uu-pdp-2022:35"]
    evidence: [table, kinds]
  - id: PND-SVC-002
    probe: database
    severity: low
    title: {id: "Tabel", en: "Table"}
    description: {id: "Inventaris tabel.", en: "Table inventory."}
    when: facts.tables
    item_key: item.name
    message: {id: "Tabel {{ item.name }}", en: "Table {{ item.name }}"}
    remediation: {id: ["Tinjau."], en: ["Review."]}
    references: ["uu-pdp-2022:35"]
  - id: PND-SVC-003
    probe: auth
    severity: critical
    title: {id: "Endpoint terbuka tanpa kredensial", en: "Endpoint answers without credentials"}
    description: {id: "Endpoint harus meminta kredensial.", en: "Endpoints must require credentials."}
    when: >
      facts.endpoints.filter(e, e.reachable &&
        e.variants.exists(v, v.name == "no-credentials" && v.status_class == "2xx"))
    item_key: item.key
    message: {id: "{{ item.key }} menjawab tanpa kredensial", en: "{{ item.key }} answers without credentials"}
    remediation: {id: ["Wajibkan autentikasi."], en: ["Require authentication."]}
    references: ["uu-pdp-2022:35"]
"""


def write_rules(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "services.yaml"
    path.write_text(RULES, encoding="utf-8")
    return path


def make_db(path: Path, tables: dict[str, list[tuple[str, ...]]] | None = None) -> Path:
    """A small SQLite database; by default one table of residents with NIK and e-mail."""
    tables = tables or {"penduduk": [("3174011505900001", "budi@contoh.go.id")] * 5}
    with sqlite3.connect(path) as conn:
        for name, rows in tables.items():
            conn.execute(f"CREATE TABLE IF NOT EXISTS {name} (nik TEXT, email TEXT)")
            conn.executemany(f"INSERT INTO {name} VALUES (?, ?)", rows)
    return path


@dataclass
class ApiServer:
    """A JSON API on 127.0.0.1; with ``hold`` set, each request waits until ``release`` is set."""

    url: str = ""
    hits: list[str] = field(default_factory=list)
    hit: threading.Event = field(default_factory=threading.Event)
    hold: bool = False
    release: threading.Event = field(default_factory=threading.Event)


@contextmanager
def api_server(*, hold: bool = False) -> Iterator[ApiServer]:
    api = ApiServer(hold=hold)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            api.hits.append(self.path)
            api.hit.set()
            if api.hold:
                api.release.wait(30)
            body = json.dumps({"nama": "Budi", "email": "budi@contoh.go.id"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    api.url = f"http://127.0.0.1:{server.server_address[1]}/api/warga"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield api
    finally:
        api.release.set()
        server.shutdown()
        server.server_close()


@contextmanager
def html_sites(count: int) -> Iterator[list[str]]:
    """``count`` small plain-HTTP sites on 127.0.0.1 (a login form without HTTPS), their URLs."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = (b"<html><head><title>Portal</title></head><body><form method=post action=/login>"
                    b"<input name=u><input type=password name=p></form></body></html>")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    servers = [ThreadingHTTPServer(("127.0.0.1", 0), Handler) for _ in range(count)]
    for server in servers:
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield [f"http://127.0.0.1:{s.server_address[1]}/" for s in servers]
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
