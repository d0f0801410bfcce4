"""Dashboard latency with a year of weekly scans: 300 targets x 52 scans in a SQLite (or PostgreSQL) store.

Builds the store (findings churn week to week: some fixed, some new, some regressions, a few silent
targets), applies the follow-up (timed), serves the dashboard with uvicorn on 127.0.0.1 and times
the fleet, trend and findings pages as an officer (all agencies) and as an agency user. Prints the
median and 90th percentile per page; record them in docs/performance.md. Not a test.

    .venv/bin/python bench/dashboard.py [--targets 300] [--weeks 52] [--requests 30] [--store URL]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import secrets
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests
import uvicorn
from sqlalchemy import func, insert, select

from scanner.followup import tables
from scanner.followup.tracker import Tracker
from scanner.history.store import Store, facts_table
from scanner.model import Exposure, Finding, ScanResult, Severity, Target, TargetKind
from scanner.web.accounts import Accounts
from scanner.web.app import create_app

PASSWORD = secrets.token_urlsafe(16)  # the benchmark's own users, made fresh each run
RULES = [("PND-TLS-001", Severity.HIGH, "tls"), ("PND-TLS-020", Severity.LOW, "tls"),
         ("PND-HTTP-001", Severity.MEDIUM, "http"), ("PND-HTTP-002", Severity.MEDIUM, "http"),
         ("PND-HTTP-010", Severity.CRITICAL, "http"), ("PND-AUTH-003", Severity.HIGH, "auth")]


def build(store: Store, n_targets: int, weeks: int, seed: int = 7) -> None:
    rnd = random.Random(seed)
    targets = [Target(TargetKind.URL, f"https://app{i:03d}.opd{i % 30:02d}.contoh.go.id/", agency=f"OPD-{i % 30:02d}",
                      exposure=Exposure.INTERNET) for i in range(n_targets)]
    present = {(t.id, r[0]): rnd.random() < 0.4 for t in targets for r in RULES}
    start = datetime(2025, 12, 1, 1, tzinfo=UTC)
    for week in range(weeks):
        at = (start + timedelta(weeks=week)).isoformat()
        silent = {t.id for t in rnd.sample(targets, max(1, n_targets // 50))}
        for key in present:
            if rnd.random() < 0.08:
                present[key] = not present[key]
        findings = [Finding(rule, t.id, "k", sev, 50.0, {"id": rule, "en": rule}, {"id": "m", "en": "m"}, {}, [],
                            probe, t.agency)
                    for t in targets if t.id not in silent for rule, sev, probe in RULES if present[(t.id, rule)]]
        result = ScanResult(f"{week:04d}" + "b" * 28, at, at, "0.1.0", "v1", targets, [], findings,
                            evaluated_rules=[r[0] for r in RULES], profile={"name": "mingguan"})
        store.begin_scan(result)
        rows = [{"scan_id": result.scan_id, "target_id": t.id, "probe": probe,
                 "status": "inconclusive" if t.id in silent else "ok", "reason": "timeout" if t.id in silent else "",
                 "started_at": at, "duration_s": 0.1, "data": {}}
                for t in targets for probe in ("tls", "http", "auth")]
        with store.engine.begin() as conn:
            conn.execute(insert(facts_table), rows)
        store.finish_scan(result)


def timed(session: requests.Session, url: str, n: int) -> tuple[float, float, int]:
    times = []
    size = 0
    for _ in range(n):
        begin = time.perf_counter()
        response = session.get(url)
        times.append((time.perf_counter() - begin) * 1000)
        response.raise_for_status()
        size = len(response.content)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.9) - 1], size


def login(base: str, user: str) -> requests.Session:
    http = requests.Session()
    token = re.search(r'name="csrf" value="([^"]+)"', http.get(f"{base}/login").text).group(1)  # type: ignore[union-attr]
    http.post(f"{base}/login", data={"csrf": token, "username": user, "password": PASSWORD}).raise_for_status()
    return http


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--targets", type=int, default=300)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--store", default="")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="pindai-bench-dash-"))
    store = Store(args.store or f"sqlite:///{folder / 'history.db'}")
    began = time.perf_counter()
    build(store, args.targets, args.weeks)
    print(f"store: {args.targets} targets x {args.weeks} scans written in {time.perf_counter() - began:.1f} s")
    began = time.perf_counter()
    Tracker(store).sync()
    with store.engine.connect() as conn:
        items = conn.execute(select(func.count()).select_from(tables.followup)).scalar_one()
        log = conn.execute(select(func.count()).select_from(tables.log)).scalar_one()
    print(f"follow-up sync of {args.weeks} scans: {time.perf_counter() - began:.1f} s "
          f"({items} items, {log} log entries)")
    accounts = Accounts(store)
    accounts.add("petugas", "officer", PASSWORD)
    accounts.add("opd07", "agency", PASSWORD, "OPD-07")
    port = 18765 + os.getpid() % 1000
    server = uvicorn.Server(uvicorn.Config(create_app(store), host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    print(f"load average at start: {os.getloadavg()[0]:.1f}")
    print("| user | page | median ms | p90 ms | bytes |\n|---|---|---:|---:|---:|")
    for user in ("petugas", "opd07"):
        http = login(base, user)
        for page in ("/", "/findings", "/findings?severity=high&overdue=1", "/trend"):
            http.get(base + page)  # warm-up
            median, p90, size = timed(http, base + page, args.requests)
            print(f"| {user} | `{page}` | {median:.0f} | {p90:.0f} | {size} |")
    print(f"load average at end: {os.getloadavg()[0]:.1f}")
    server.should_exit = True


if __name__ == "__main__":
    main()
