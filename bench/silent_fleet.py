"""Dead and filtered hosts: an inventory of N local sites of which S are silent, scanned end to end.

A helper process serves the fleet on 127.0.0.1: N - S small HTTP sites (a login page), S * 2/3
ports that accept connections and never send a byte, and S / 3 ports whose accept queue is
full so the kernel drops new SYNs (as a filtering firewall does). Pindai writes the fleet as an
inventory CSV (three agencies), reads it with ``scanner.inventory`` and scans it with every probe
through ``scanner.running.scan.scan``, once with the per-service silence check (today) and once without
it (``--compare``: the check patched out, as before), then writes the run's dated folder (full
HTML + JSON, one report per agency) as the daemon does. Printed: wall time, worker-seconds spent on
silent targets, the longest span of one silent target, the findings of the answering sites and
the time to write the run folder.

    .venv/bin/python bench/silent_fleet.py                      # 300 sites, 60 silent, --timeout 2
    .venv/bin/python bench/silent_fleet.py --compare --json out/silent.json

Only 127.0.0.1 is contacted. Results are recorded in docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scanner.inventory import read_inventory  # noqa: E402
from scanner.judging.rules import RuleSet, load_rules  # noqa: E402
from scanner.net.reachability import Reachability  # noqa: E402
from scanner.probes import load_probes  # noqa: E402
from scanner.probes.base import ProbeContext  # noqa: E402
from scanner.running.politeness import HostGate, PolitenessPolicy  # noqa: E402
from scanner.running.runner import ThreadExecutor  # noqa: E402
from scanner.running.scan import new_scan, scan  # noqa: E402
from scanner.service.runs import write_run  # noqa: E402

SERVER = r'''
import socket, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

live, mute, full = (int(a) for a in sys.argv[1:4])
PAGE = (b"<html><head><title>Layanan</title></head><body><form method=post action=/masuk>"
        b"<input name=u><input type=password name=p></form></body></html>")

class Site(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)
    do_HEAD = do_GET
    def log_message(self, *args):
        pass

keep = []
for _ in range(live):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    keep.append(server)
    print("live", server.server_address[1], flush=True)
for _ in range(mute):  # accepted by the kernel (backlog), never read, never answered
    sock = socket.socket(); sock.bind(("127.0.0.1", 0)); sock.listen(4096); keep.append(sock)
    print("mute", sock.getsockname()[1], flush=True)
for _ in range(full):  # backlog 0, filled: later SYNs are dropped
    sock = socket.socket(); sock.bind(("127.0.0.1", 0)); sock.listen(0); keep.append(sock)
    port = sock.getsockname()[1]
    for _ in range(2):
        filler = socket.socket(); filler.settimeout(1)
        try:
            filler.connect(("127.0.0.1", port))
        except OSError:
            pass
        keep.append(filler)
    print("filtered", port, flush=True)
print("ready", flush=True)
sys.stdin.read()
'''

AGENCIES = ("Dinas Kesehatan", "Bappeda", "Dinas Pendidikan")


def _fleet(sites: int, silent: int) -> tuple[subprocess.Popen[str], dict[str, str]]:
    mute = silent * 2 // 3
    proc = subprocess.Popen([sys.executable, "-c", SERVER, str(sites - silent), str(mute), str(silent - mute)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    kinds: dict[str, str] = {}
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.strip() == "ready":
            break
        kind, port = line.split()
        # answering sites as http:// URLs; silent ones as bare host:port, as inventories list them (HTTPS)
        kinds[f"http://127.0.0.1:{port}/" if kind == "live" else f"127.0.0.1:{port}"] = kind
    return proc, kinds


def _run(inventory_path: Path, kinds: dict[str, str], ruleset: RuleSet, timeout: float, workers: int,
         check: bool) -> dict[str, Any]:
    inventory = read_inventory(inventory_path)
    kinds = {t.id: kinds[t.declared_at and _listed(t.declared_at, inventory_path)] for t in inventory.targets}
    policy = PolitenessPolicy(per_host_concurrency=5, requests_per_second=0, timeout_s=timeout)
    ctx = ProbeContext(gate=HostGate(policy), scope=inventory.scope)
    patch = mock.patch.object(Reachability, "silent", return_value="") if not check else mock.MagicMock()
    started = time.monotonic()
    with patch:
        result = scan(new_scan(inventory.targets, ruleset), load_probes(), ruleset, ctx,
                      executor=ThreadExecutor(workers))
    wall = time.monotonic() - started
    spans: dict[str, list[float]] = defaultdict(list)
    for facts in result.facts:
        spans[facts.target_id].append(facts.duration_s)
    silent = [t.id for t in result.targets if kinds.get(t.id) in ("mute", "filtered")]
    live = [t.id for t in result.targets if kinds.get(t.id) == "live"]
    silent_seconds = [sum(spans[t]) for t in silent]
    observed = {f.target_id for f in result.facts if f.conclusive}
    with tempfile.TemporaryDirectory() as folder:  # what the daemon writes next: the run's dated folder
        clock = time.monotonic()
        reports = write_run(result, ruleset, Path(folder), ["html", "json"], "id", ZoneInfo("Asia/Jakarta"))
        reports_s = time.monotonic() - clock
        agency_reports = len(reports.agencies)
    return {
        "silence_check": check,
        "run_folder_s": round(reports_s, 1),
        "agency_reports": agency_reports,
        "wall_s": round(wall, 1),
        "silent_worker_seconds_total": round(sum(silent_seconds), 1),
        "silent_worker_seconds_per_target_max": round(max(silent_seconds, default=0), 2),
        "silent_probe_max_s": round(max((max(spans[t]) for t in silent), default=0), 2),
        "silent_observed": len(observed & set(silent)),
        "live_observed": len(observed & set(live)),
        "live_findings": sum(1 for f in result.findings if f.target_id in set(live)),
    }


def _listed(declared_at: str, path: Path) -> str:
    """The inventory cell of the row ``declared_at`` (``file:row``) names."""
    row = int(declared_at.rsplit(":", 1)[1])
    return path.read_text().splitlines()[row - 1].split(",", 1)[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sites", type=int, default=300)
    parser.add_argument("--silent", type=int, default=60)
    parser.add_argument("--timeout", type=float, default=2.0)
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--compare", action="store_true", help="also scan without the silence check")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    proc, kinds = _fleet(args.sites, args.silent)
    try:
        with tempfile.TemporaryDirectory() as work:
            path = Path(work) / "aset.csv"
            rows = [f"{url},{AGENCIES[i % 3]},Aplikasi {i},{'publik' if i % 2 else 'internal'}"
                    for i, url in enumerate(kinds)]
            path.write_text("target,perangkat_daerah,nama_aplikasi,paparan\n" + "\n".join(rows) + "\n")
            ruleset = load_rules()
            load_probes()
            runs = [_run(path, kinds, ruleset, args.timeout, args.workers, check)
                    for check in ((False, True) if args.compare else (True,))]
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(10)
    report = {"date": datetime.now().isoformat(timespec="seconds"), "machine": platform.platform(),
              "cpus": os.cpu_count(), "sites": args.sites, "silent": args.silent, "timeout_s": args.timeout,
              "workers": args.workers, "runs": runs}
    print(json.dumps(report, indent=2))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
