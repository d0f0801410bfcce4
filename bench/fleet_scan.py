"""Fleet benchmark: scan N local HTTPS endpoints with the TLS and HTTP probes.

One nginx (Debian package) listens on N random ports of 127.0.0.1 with a throw-away EC
certificate and serves a small portal page; Pindai scans every endpoint through
``scanner.running.scan.scan`` (observe + judge) and prints wall time, connections and peak RSS.

    .venv/bin/python bench/fleet_scan.py                          # 1,000 endpoints, 16 workers
    .venv/bin/python bench/fleet_scan.py --endpoints 100 --workers 1 2 4 8 16   # scaling run
    .venv/bin/python bench/fleet_scan.py --json out/fleet.json    # also write the numbers

Every endpoint shares the host 127.0.0.1, so the per-host politeness gate would serialise the
whole fleet; the benchmark uses ``--connections`` (default 64) concurrent connections and no rate
limit for that one host. In a real fleet each host has its own gate. Only 127.0.0.1 is contacted.
Results are recorded in docs/performance.md.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402

from scanner.judging.engine import _judge_serially  # noqa: E402
from scanner.judging.rules import RuleSet, load_rules  # noqa: E402
from scanner.model import Facts, Target, TargetKind  # noqa: E402
from scanner.probes import load_probes  # noqa: E402
from scanner.probes.base import ProbeContext  # noqa: E402
from scanner.running.executors import Job  # noqa: E402
from scanner.running.politeness import HostGate, PolitenessPolicy  # noqa: E402
from scanner.running.runner import ShardExecutor  # noqa: E402
from scanner.running.scan import new_scan, scan  # noqa: E402
from scanner.running.scope import Scope  # noqa: E402

HOST = "127.0.0.1"
PAGE = ("<!DOCTYPE html><html lang=\"id\"><head><meta charset=\"utf-8\"><title>Layanan Kabupaten Contoh</title>"
        "</head><body><h1>Layanan publik</h1><p>Portal layanan.</p></body></html>")


def _cert(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "layanan.contohkab.go.id.test")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(hours=1))
            .not_valid_after(now + dt.timedelta(days=7))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
            .sign(key, hashes.SHA256()))
    crt, pem = folder / "fleet.crt", folder / "fleet.key"
    crt.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    pem.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
    return crt, pem


def _free_ports(count: int) -> list[int]:
    """``count`` distinct ports that are free right now (held open together, then released)."""
    held: list[socket.socket] = []
    try:
        for _ in range(count):
            s = socket.socket()
            s.bind((HOST, 0))
            held.append(s)
        return [s.getsockname()[1] for s in held]
    finally:
        for s in held:
            s.close()


def _nginx_conf(folder: Path, ports: list[int], crt: Path, key: Path) -> str:
    listens = "\n".join(f"        listen {HOST}:{p} ssl;" for p in ports)
    temp = "\n".join(f"    {kind}_temp_path {folder / kind};" for kind in
                     ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    user = "user root;\n" if os.geteuid() == 0 else ""
    page = PAGE.replace('"', '\\"')
    return f"""{user}worker_processes 2;
worker_rlimit_nofile 16384;
daemon off;
master_process on;
pid {folder / "nginx.pid"};
error_log {folder / "error.log"} error;
events {{ worker_connections 8192; }}
http {{
    access_log off;
{temp}
    server {{
{listens}
        server_name _;
        ssl_certificate {crt};
        ssl_certificate_key {key};
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305;
        ssl_prefer_server_ciphers on;
        keepalive_timeout 5;
        add_header Strict-Transport-Security "max-age=31536000" always;
        add_header X-Content-Type-Options nosniff always;
        location = / {{ default_type text/html; return 200 "{page}"; }}
        location / {{ return 404; }}
    }}
}}
"""


@contextlib.contextmanager
def nginx_fleet(count: int) -> Iterator[list[int]]:
    """Start one nginx listening on ``count`` HTTPS ports of 127.0.0.1; yield the ports."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    folder = Path(tempfile.mkdtemp(prefix="pindai-fleet-"))
    folder.chmod(0o755)
    crt, key = _cert(folder)
    ports = _free_ports(count)
    conf = folder / "nginx.conf"
    conf.write_text(_nginx_conf(folder, ports, crt, key), encoding="utf-8")
    proc = subprocess.Popen([binary, "-p", str(folder), "-c", str(conf)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    try:
        _wait_listening(proc, ports, folder)
        yield ports
    finally:
        proc.send_signal(signal.SIGQUIT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(folder, ignore_errors=True)


def _wait_listening(proc: subprocess.Popen[bytes], ports: list[int], folder: Path) -> None:
    deadline = time.monotonic() + 60
    for port in (ports[0], ports[-1]):
        while True:
            if proc.poll() is not None:
                log = (folder / "error.log").read_text(errors="replace") if (folder / "error.log").exists() else ""
                raise RuntimeError(f"nginx exited ({proc.returncode}): {log[-2000:]}")
            with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=0.5):
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"nginx does not listen on {HOST}:{port}")
            time.sleep(0.1)


def _peak_rss_mb(processes: int) -> float:
    """Upper bound of the scan's peak memory: this process plus ``processes`` times the largest child."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss if processes > 1 else 0
    return (own + processes * children) / 1024


def _judge_cpu_ms(facts: list[Facts], targets: list[Target], ruleset: RuleSet) -> float:
    """CPU milliseconds per observation for judging ``facts`` serially in this process."""
    cpu = time.process_time()
    _judge_serially(facts, targets, ruleset)
    return 1000 * (time.process_time() - cpu) / max(1, len(facts))


def run_once(ports: list[int], workers: int, connections: int, timeout: float, probes: list[str],
             facts_out: Path | None = None, processes: int = 1) -> dict[str, Any]:
    """Scan every port once; return the measured numbers (and write the facts to ``facts_out``)."""
    ruleset = load_rules(None)
    targets = [Target(TargetKind.URL, f"https://{HOST}:{p}/", name=f"layanan-{i:04d}",
                      options={"http_port": p, "verify_tls": False})
               for i, p in enumerate(ports)]
    policy = PolitenessPolicy(per_host_concurrency=connections, requests_per_second=0, timeout_s=timeout)
    gate = HostGate(policy)
    ctx = ProbeContext(gate=gate, scope=Scope((HOST,)))
    loaded = load_probes(probes)
    seen: list[Facts] = []
    observe_s = 0.0

    class Timed:  # the executor pindai scan uses, timed
        def observe(self, jobs: Sequence[Job], ctx: ProbeContext, on_facts: Callable[[Facts], None]) -> list[Facts]:
            nonlocal observe_s
            start = time.monotonic()
            try:
                return ShardExecutor(processes, workers).observe(jobs, ctx, on_facts)
            finally:
                observe_s = time.monotonic() - start

    clock = time.monotonic()
    cpu = time.process_time()
    result = scan(new_scan(targets, ruleset), loaded, ruleset, ctx, on_facts=seen.append, executor=Timed())
    wall = time.monotonic() - clock
    if facts_out is not None:
        facts_out.write_text(json.dumps({"targets": [t.to_dict() for t in targets],
                                         "facts": [f.to_dict() for f in result.facts]}, indent=1), encoding="utf-8")
    tls_connections = sum(int(f.data.get("connections", 0)) for f in result.facts if f.probe == "tls")
    http_requests = sum(int(f.data.get("requests", 0)) for f in result.facts if f.probe == "http")
    return {
        "endpoints": len(ports),
        "workers": workers,
        "gate_connections": connections,
        "probes": probes,
        "wall_s": round(wall, 1),
        "observe_s": round(observe_s, 1),  # probes (network + parsing)
        "judge_s": round(wall - observe_s, 1),  # rule engine (CEL) over all facts
        "cpu_s": round(time.process_time() - cpu, 1),
        "endpoints_per_s": round(len(ports) / wall, 2),
        "processes": processes,
        "connections": tls_connections + http_requests,
        "tls_connections": tls_connections,
        "http_requests": http_requests,
        "observations": len(result.facts),
        "inconclusive": len(result.inconclusive()),
        "findings": len(result.findings),
        "judge_cpu_ms_per_observation": round(_judge_cpu_ms(result.facts, targets, ruleset), 2),
        "peak_rss_mb": round(_peak_rss_mb(processes), 1),
    }


def _machine() -> dict[str, Any]:
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {"cpus": os.cpu_count(), "memory_gib": round(mem_gib, 1), "python": platform.python_version(),
            "platform": platform.platform(), "load_avg_at_start": [round(x, 1) for x in os.getloadavg()]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--endpoints", type=int, default=1000, help="HTTPS endpoints to start (default 1000)")
    parser.add_argument("--workers", type=int, nargs="+", default=[16],
                        help="runner worker counts; several values give a scaling run (e.g. 1 2 4 8 16)")
    parser.add_argument("--connections", type=int, default=64,
                        help="concurrent connections allowed to 127.0.0.1 (the shared politeness gate)")
    parser.add_argument("--timeout", type=float, default=10.0, help="probe timeout in seconds")
    parser.add_argument("--probes", nargs="+", default=["tls", "http"])
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    parser.add_argument("--processes", type=int, nargs="+", default=[os.cpu_count() or 1],
                        help="probing processes, sharded by host (default: every core); several values "
                             "are run one after another on the same endpoints, e.g. 1 2")
    parser.add_argument("--facts-out", type=Path, help="write the targets and facts of the last run to this file")
    args = parser.parse_args(argv)
    report: dict[str, Any] = {"date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                              "machine": _machine(), "command": " ".join(sys.argv), "runs": []}
    print(f"machine: {report['machine']}", flush=True)
    with nginx_fleet(args.endpoints) as ports:
        print(f"nginx listening on {len(ports)} HTTPS ports of {HOST}", flush=True)
        for workers, processes in [(w, p) for w in args.workers for p in args.processes]:
            numbers = run_once(ports, workers, args.connections, args.timeout, args.probes, args.facts_out,
                               processes)
            report["runs"].append(numbers)
            print(f"workers={workers:<3} endpoints={numbers['endpoints']:<5} wall={numbers['wall_s']:>7.1f}s "
                  f"(observe {numbers['observe_s']:.1f}s, judge {numbers['judge_s']:.1f}s) "
                  f"processes={numbers['processes']} cpu(parent)={numbers['cpu_s']:>7.1f}s "
                  f"rate={numbers['endpoints_per_s']:>6.2f}/s "
                  f"connections={numbers['connections']:<7} (tls {numbers['tls_connections']}, "
                  f"http requests {numbers['http_requests']}) inconclusive={numbers['inconclusive']} "
                  f"findings={numbers['findings']} judge={numbers['judge_cpu_ms_per_observation']} ms CPU/observation "
                  f"peak_rss={numbers['peak_rss_mb']:.0f} MB", flush=True)
    report["machine"]["load_avg_at_end"] = [round(x, 1) for x in os.getloadavg()]
    print(f"load average at end: {report['machine']['load_avg_at_end']}", flush=True)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
