"""A small fleet in a real store for the dashboard tests: three agencies, two weekly scans, four users."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import uvicorn

from scanner.history.store import Store
from scanner.model import Exposure, Facts, Finding, ScanResult, Severity, Target, TargetKind
from scanner.web.accounts import Accounts
from scanner.web.app import create_app

PASSWORD = "kata-sandi-uji-123"
PORTAL = Target(TargetKind.URL, "https://portal.diskominfo.contoh.go.id/", agency="Diskominfo",
                exposure=Exposure.INTERNET)
SIMPEG = Target(TargetKind.URL, "https://simpeg.bkpsdm.contoh.go.id/", agency="BKPSDM", exposure=Exposure.INTERNET)
SIKDA = Target(TargetKind.URL, "https://sikda.dinkes.contoh.go.id/", agency="Dinkes", exposure=Exposure.INTERNET)
TARGETS = [PORTAL, SIMPEG, SIKDA]
RULES = ["PND-TLS-001", "PND-HTTP-001", "PND-HTTP-002"]


def finding(rule: str, target: Target, key: str, severity: Severity) -> Finding:
    return Finding(rule, target.id, key, severity, 50.0, {"id": f"judul {rule}", "en": f"title {rule}"},
                   {"id": "pesan", "en": "message"}, {"name": key}, [], "http", target.agency)


FINDINGS = {
    "portal-hsts": finding("PND-HTTP-001", PORTAL, "hsts", Severity.MEDIUM),
    "simpeg-tls": finding("PND-TLS-001", SIMPEG, "TLSv1.0", Severity.HIGH),
    "simpeg-csp": finding("PND-HTTP-002", SIMPEG, "csp", Severity.MEDIUM),
    "sikda-tls": finding("PND-TLS-001", SIKDA, "TLSv1.0", Severity.CRITICAL),
}


def weekly(scan_id: str, day: int, findings: list[Finding], silent: tuple[Target, ...] = ()) -> ScanResult:
    facts = [Facts("http", t.id, {}, status="inconclusive" if t in silent else "ok", reason="timeout")
             for t in TARGETS]
    at = f"2026-11-{day:02d}T01:00:00+00:00"
    return ScanResult(scan_id, at, at, "0.1.0", "v1", TARGETS, facts, findings, evaluated_rules=RULES,
                      profile={"name": "mingguan"})


def fill(store: Store) -> None:
    """Week 1: four findings; week 2: the portal's is fixed, Dinkes' server did not answer."""
    store.save(weekly("a1" * 16, 2, list(FINDINGS.values())))
    store.save(weekly("b2" * 16, 9, [FINDINGS["simpeg-tls"], FINDINGS["simpeg-csp"]], silent=(SIKDA,)))
    accounts = Accounts(store)
    for name, role, agency in (("admin", "admin", ""), ("petugas", "officer", ""), ("auditor", "auditor", ""),
                               ("dinkes", "agency", "Dinkes"), ("bkpsdm", "agency", "BKPSDM")):
        accounts.add(name, role, PASSWORD, agency)


class Clock:
    """A settable clock for the app (session expiry, overdue)."""

    def __init__(self) -> None:
        self.value = datetime(2026, 11, 10, 3, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.value


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(store: Store, clock: Clock | None = None, profiles: tuple[Path, ...] = (), **ssl: Any) -> Iterator[str]:
    """Run the dashboard in uvicorn on 127.0.0.1 (a random port) in a thread; yield its base URL."""
    port = free_port()
    config = uvicorn.Config(create_app(store, profiles, now=clock), host="127.0.0.1", port=port, log_level="warning",
                            server_header=False, **ssl)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("dashboard did not start")
        time.sleep(0.05)
    try:
        yield f"{'https' if ssl else 'http'}://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def store_at(path: Path) -> Store:
    store = Store(f"sqlite:///{path / 'history.db'}")
    fill(store)
    return store
