"""End to end (issue 27, sections 1-4): an inventory of three agencies, `pindai daemon --once` runs against local
sites, the follow-up and the dashboard. A site fixed between runs gets its findings "verified fixed"; broken
again, they reopen as regressions; the dashboard shows the runs, an agency user downloads only its own report."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from scanner.followup.tracker import Filters, Tracker
from scanner.history.store import Store
from scanner.service.daemon import run_daemon
from scanner.web.accounts import Accounts
from tests.web.fleet import PASSWORD, serving
from tests.web.test_app import login

PAGE = b"<html><head><title>Portal</title></head><body><p>Selamat datang</p></body></html>"
WEAK = {"X-Powered-By": "PHP/5.4.16"}  # version disclosure of an end-of-life PHP
FIXED: dict[str, str] = {}


@contextmanager
def switchable_sites(count: int) -> Iterator[tuple[list[str], list[dict[str, Any]]]]:
    """Plain-HTTP sites on 127.0.0.1 whose extra headers a test can switch (weak, fixed)."""
    states: list[dict[str, Any]] = [{"headers": WEAK} for _ in range(count)]

    def handler(state: dict[str, Any]) -> type[BaseHTTPRequestHandler]:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = PAGE
                self.send_response(200)
                for name, value in state["headers"].items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass
        return Handler

    servers = [ThreadingHTTPServer(("127.0.0.1", 0), handler(state)) for state in states]
    for server in servers:
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield [f"http://127.0.0.1:{s.server_address[1]}/" for s in servers], states
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()


def test_inventory_runs_follow_up_and_dashboard(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'history.db'}")
    agencies = ["Dinas Kesehatan", "Bappeda", "Dinas Pendidikan"]
    with switchable_sites(3) as (sites, states):
        (tmp_path / "aset.csv").write_text("target,perangkat_daerah,nama_aplikasi\n" + "".join(
            f"{url},{agency},Aplikasi {i}\n" for i, (url, agency) in enumerate(zip(sites, agencies, strict=True))),
            encoding="utf-8")
        profile = tmp_path / "kominfo.toml"
        profile.write_text('name = "Diskominfo"\n[inventory]\nfile = "aset.csv"\n[schedule]\ncron = "0 2 1 1 *"\n'
                           '[politeness]\ntimeout = 2\n[reports]\nformats = ["json"]\n', encoding="utf-8")
        tracker = Tracker(store)

        def run(year: int) -> None:
            (outcome,) = run_daemon([profile], store, once=True, now=datetime(year, 1, 1, 3, tzinfo=UTC),
                                    probe_names=["http"])
            assert not outcome.error, outcome.error
            tracker.sync()

        def items(site: str) -> dict[str, str]:
            return {i.fingerprint: i.state for i in tracker.items(Filters(target=site))}

        run(2027)
        first = items(sites[0])
        assert first and set(first.values()) == {"open"}
        assert {i.agency for i in tracker.items()} == set(agencies)  # agencies from the inventory

        states[0]["headers"] = FIXED  # Dinas Kesehatan stops disclosing (and upgrades) PHP
        run(2028)
        second = items(sites[0])
        fixed = {fp for fp, state in second.items() if state == "verified_fixed"}
        assert fixed and fixed < set(first)  # the disclosure's findings are verified fixed, the rest stay open
        assert all(state == "open" for fp, state in second.items() if fp not in fixed)

        states[0]["headers"] = WEAK  # re-introduced
        run(2029)
        third = {i.fingerprint: i for i in tracker.items(Filters(target=sites[0]))}
        assert all(third[fp].state == "open" and third[fp].regression for fp in fixed)

    Accounts(store).add("petugas", "officer", PASSWORD)
    Accounts(store).add("dinkes", "agency", PASSWORD, "Dinas Kesehatan")
    with serving(store) as base:
        officer, _ = login(base, "petugas")
        scans = officer.get(base + "/scans").text
        assert scans.count('data-scan="') == 3
        fleet = officer.get(base + "/").text
        assert all(a in fleet for a in agencies) and 'id="n-regressions">' in fleet
        dinkes, _ = login(base, "dinkes")
        scan_id = store.history(1)[0].scan_id
        own = dinkes.get(f"{base}/scans/{scan_id}/report?format=json")
        assert own.status_code == 200 and sites[0] in own.text and sites[1] not in own.text
        assert dinkes.get(f"{base}/scans/{scan_id}/report?format=json&agency=Bappeda").status_code == 404
