"""Benchmark: Pindai's TLS probe vs sslyze on the same local servers, in one run.

Starts openssl s_server (legacy, TLS1.2 modern) and, if installed, nginx (modern, legacy) on
127.0.0.1, puts a counting TCP relay in front of each (optionally adding half an RTT per direction to
emulate RTT), runs both tools through the relay and prints connections and wall time.

    .venv/bin/python bench/tls_vs_peers.py [--rtt-ms 50] [--no-sslyze]
    .venv/bin/python bench/tls_vs_peers.py --cli [--before DIR] [--rtt-ms 50]

``--cli`` times whole processes as a user runs them: ``pindai scan https://... --probe tls`` with
default settings (a throw-away history store), beside ``sslyze`` and, when the Debian package is
installed, ``testssl``. ``--before DIR`` also times the ``pindai`` of another checkout (e.g. an
unpacked ``git archive main``), run with this venv's Python.

sslyze is taken from .venv-oracle (scripts/setup-oracles.sh). Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import resource
import selectors
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scanner.model import Target, TargetKind  # noqa: E402
from scanner.probes.base import ProbeContext  # noqa: E402
from scanner.probes.tls.probe import TlsProbe  # noqa: E402
from scanner.running.politeness import HostGate, PolitenessPolicy  # noqa: E402
from tests.probes.tls.pki import leaf_variants, make_pki  # noqa: E402
from tests.probes.tls.servers import NGINX, Server, nginx_pair, s_server  # noqa: E402

ORACLE = ROOT / ".venv-oracle" / "bin" / "python"


class CountingRelay:
    """127.0.0.1 relay that counts connections and delays each chunk by ``delay`` seconds."""

    def __init__(self, backend_port: int, delay: float) -> None:
        self.backend_port, self.delay, self.connections = backend_port, delay, 0
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.port = int(self.sock.getsockname()[1])
        self._stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        self.sock.settimeout(0.2)
        while not self._stop.is_set():
            try:
                front, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            threading.Thread(target=self._pipe, args=(front,), daemon=True).start()

    def _pipe(self, front: socket.socket) -> None:
        with contextlib.suppress(OSError), front:
            time.sleep(self.delay)  # the extra TCP round trip of a distant host
            with socket.create_connection(("127.0.0.1", self.backend_port), timeout=10) as back:
                sel = selectors.DefaultSelector()
                sel.register(front, selectors.EVENT_READ, back)
                sel.register(back, selectors.EVENT_READ, front)
                while True:
                    events = sel.select(timeout=30)
                    if not events:
                        return
                    for key, _ in events:
                        data = key.fileobj.recv(65536)  # type: ignore[union-attr]
                        if not data:
                            return
                        if self.delay:
                            time.sleep(self.delay / 2)
                        key.data.sendall(data)

    def stop(self) -> None:
        self._stop.set()
        self.sock.close()


PER_HOST = 5  # the politeness default: connections open at once to one host


def handshake_floor(connections: int, rtt: float, per_host: int = PER_HOST) -> float:
    """Least possible wall time for ``connections`` handshakes to one host: each needs two round
    trips (TCP connect, then ClientHello to ServerHello) and at most ``per_host`` run at once."""
    return math.ceil(connections / per_host) * 2 * rtt


def run_pindai(port: int) -> tuple[float, int, dict[str, int]]:
    ctx = ProbeContext(gate=HostGate(PolitenessPolicy(per_host_concurrency=PER_HOST, requests_per_second=0)))
    start = time.monotonic()
    facts = TlsProbe().run(Target(TargetKind.URL, f"https://127.0.0.1:{port}/"), ctx)
    counts = {p["name"]: p["suite_count"] for p in facts["protocols"] if p["accepted"]}
    return time.monotonic() - start, int(facts["connections"]), counts


def run_sslyze(port: int, out: Path) -> float:
    start = time.monotonic()
    subprocess.run([str(ORACLE), "-m", "sslyze", f"127.0.0.1:{port}", f"--json_out={out}"],
                   capture_output=True, timeout=600)
    return time.monotonic() - start


TESTSSL = shutil.which("testssl") or shutil.which("testssl.sh")


def run_process(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall and CPU seconds (user + system, children included) of one whole process, start-up included.

    On a shared machine CPU time is the steadier number; wall time also counts waiting for a core."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    subprocess.run(cmd, capture_output=True, timeout=900, env=env, check=False, cwd="/")  # not a checkout
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def cli_commands(port: int, folder: Path, before: Path | None) -> dict[str, tuple[list[str], dict[str, str]]]:
    """The tools of the --cli comparison: name -> (command, environment)."""
    url = f"https://127.0.0.1:{port}/"
    env = {**os.environ, "PINDAI_STORE": f"sqlite:///{folder / 'history.db'}"}
    pindai = [str(Path(sys.executable).with_name("pindai")), "scan", url, "--probe", "tls", "--format", "json"]
    tools: dict[str, tuple[list[str], dict[str, str]]] = {"pindai": (pindai, env)}
    if before is not None:
        tools["pindai-before"] = ([sys.executable, "-c", "from scanner.cli import main; main()", *pindai[1:]],
                                  {**env, "PYTHONPATH": str(before)})
    if ORACLE.exists():
        tools["sslyze"] = ([str(ORACLE), "-m", "sslyze", f"127.0.0.1:{port}", f"--json_out={folder / 'cli.json'}"],
                           dict(os.environ))
    if TESTSSL:
        tools["testssl"] = ([TESTSSL, "--quiet", "--color", "0", "--warnings", "off", url], dict(os.environ))
    return tools


def cli_mode(servers: list[Server], delay: float, folder: Path, before: Path | None) -> None:
    """Whole-process wall time per tool and server, all in one run."""
    names = list(cli_commands(0, folder, before))
    print(f"whole processes, default settings; load average {os.getloadavg()[0]:.1f}")
    print("each cell: wall s / CPU s (connections through the relay); last column: sslyze / pindai wall")
    print(f"{'server':20} " + " ".join(f"{n:>24}" for n in names) + "   ratio")
    for srv in servers:
        relay = CountingRelay(srv.port, delay)
        row: dict[str, tuple[float, float, int]] = {}
        for name, (cmd, env) in cli_commands(relay.port, folder, before).items():
            relay.connections = 0
            wall, cpu = run_process(cmd, env)
            row[name] = (wall, cpu, relay.connections)
        relay.stop()
        ratio = row["sslyze"][0] / row["pindai"][0] if "sslyze" in row else float("nan")
        print(f"{srv.name:20} " + " ".join(f"{w:8.2f} / {c:5.2f} ({n:4d})" for w, c, n in row.values())
              + f"   {ratio:.1f}x", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rtt-ms", type=float, default=0.0,
                        help="emulated round-trip time (ms): half per direction, one RTT at connect")
    parser.add_argument("--no-sslyze", action="store_true")
    parser.add_argument("--cli", action="store_true", help="time whole `pindai scan --probe tls` processes")
    parser.add_argument("--before", type=Path, help="with --cli: also time the pindai of this checkout")
    args = parser.parse_args()
    use_sslyze = ORACLE.exists() and not args.no_sslyze
    delay = args.rtt_ms / 1000
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        pki = make_pki(folder)
        leaf, chain = leaf_variants(pki)["good"]
        cert, key, chain_path = pki.write("good", leaf, chain)
        servers: list[Server] = [
            s_server("s_server-legacy", cert, key, "-cipher", "ALL:COMPLEMENTOFALL:@SECLEVEL=0", chain=chain_path),
            s_server("s_server-modern12", cert, key, "-tls1_2", "-cipher", "ECDHE+AESGCM:ECDHE+CHACHA20",
                     chain=chain_path),
        ]
        if NGINX:
            fullchain = folder / "fullchain.pem"
            fullchain.write_bytes(cert.read_bytes() + (chain_path.read_bytes() if chain_path else b""))
            with contextlib.suppress(RuntimeError, OSError):
                servers += list(nginx_pair(folder / "nginx", fullchain, key))
        print(f"emulated RTT: {args.rtt_ms:.0f} ms; sslyze: {'yes' if use_sslyze else 'no'}")
        if args.cli:
            try:
                cli_mode(servers, delay, folder, args.before)
            finally:
                for srv in servers:
                    srv.stop()
            return
        print(f"{'server':20} {'pindai s':>9} {'conns':>6} {'floor s':>8} {'/floor':>7} {'sslyze s':>9} "
              f"{'conns':>6} {'time x':>7} {'conn x':>7}  suites per version (pindai)")
        try:
            for srv in servers:
                relay = CountingRelay(srv.port, delay)
                p_time, p_conns, counts = run_pindai(relay.port)
                p_relay = relay.connections
                s_time, s_conns = float("nan"), 0
                if use_sslyze:
                    relay.connections = 0
                    s_time = run_sslyze(relay.port, folder / f"{srv.name}.json")
                    s_conns = relay.connections
                relay.stop()
                ratio_t = s_time / p_time if use_sslyze else float("nan")
                ratio_c = s_conns / p_relay if use_sslyze and p_relay else float("nan")
                floor = handshake_floor(p_relay, delay)
                over = p_time / floor if floor else float("nan")
                print(f"{srv.name:20} {p_time:9.2f} {p_relay:6d} {floor:8.2f} {over:7.1f} {s_time:9.2f} "
                      f"{s_conns:6d} {ratio_t:7.1f} {ratio_c:7.1f}  {counts}  (probe counted {p_conns})")
        finally:
            for srv in servers:
                srv.stop()


if __name__ == "__main__":
    main()
