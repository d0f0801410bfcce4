"""HTTP probe cost: requests and probe CPU per endpoint on the bundled fixture sites.

Runs the real http probe (no judge) against the portal variants of fixtures/web (HTTPS, with
their plain-HTTP twin) and, unless ``--portals-only``, the real-software sites of
fixtures/realweb (Flask, FastAPI, Django, PHP, Apache, nginx, Express; a site that cannot start
here is left out and said so). Prints, per site: requests sent, new TCP connections, how many of them repeated an
earlier identical request (method, URL, headers), HEAD requests, and the CPU time of the probe
thread (the fixture servers run in other threads or processes). Only 127.0.0.1 is contacted.

    .venv/bin/python bench/http_probe_cost.py                  # all sites
    .venv/bin/python bench/http_probe_cost.py --portals-only   # the five portal variants
    .venv/bin/python bench/http_probe_cost.py --json out/http-cost.json

Results are recorded in docs/performance.md (issue 16, goal 7).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import urllib3.connection

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fixtures.realweb import httpd, node, php, python_apps  # noqa: E402
from fixtures.web import VARIANTS, start_site  # noqa: E402
from scanner.model import Target, TargetKind  # noqa: E402
from scanner.probes.base import ProbeContext  # noqa: E402
from scanner.probes.http import fetch  # noqa: E402
from scanner.probes.http.probe import HttpProbe  # noqa: E402
from scanner.running.politeness import HostGate, PolitenessPolicy  # noqa: E402
from scanner.running.scope import Scope  # noqa: E402

REAL: dict[str, Callable[[Path], Any]] = {
    "flask-debug": partial(python_apps.start_flask, debug=True),
    "fastapi-docs": partial(python_apps.start_fastapi, docs=True),
    "django-debug": partial(python_apps.start_django, debug=True),
    "php-weak": partial(php.start_php, hardened=False),
    "apache-weak": partial(httpd.start_apache, hardened=False),
    "nginx-weak": partial(httpd.start_nginx, hardened=False),
    "express-dev": partial(node.start_express, hardened=False),
}


def _context() -> ProbeContext:
    policy = PolitenessPolicy(per_host_concurrency=4, requests_per_second=1000, timeout_s=5)
    return ProbeContext(gate=HostGate(policy), scope=Scope(patterns=("127.0.0.1",)))


def _measure(name: str, target: Target) -> dict[str, Any]:
    sent: list[tuple[str, str, tuple[tuple[str, str], ...]]] = []
    original = fetch.Fetcher._send

    def counting(self: fetch.Fetcher, method: str, host: str, url: str, headers: dict[str, str],
                 verify: bool | str) -> Any:
        sent.append((method, url, tuple(sorted(headers.items()))))
        return original(self, method, host, url, headers, verify)

    connects: list[str] = []
    new_conn = urllib3.connection.HTTPConnection._new_conn

    def connecting(self: urllib3.connection.HTTPConnection) -> Any:
        connects.append(self.host)
        return new_conn(self)

    fetch.Fetcher._send = counting  # type: ignore[method-assign]
    urllib3.connection.HTTPConnection._new_conn = connecting  # type: ignore[method-assign]
    try:
        cpu = time.thread_time()
        facts = HttpProbe().run(target, _context())
        cpu = time.thread_time() - cpu
    finally:
        fetch.Fetcher._send = original  # type: ignore[method-assign]
        urllib3.connection.HTTPConnection._new_conn = new_conn  # type: ignore[method-assign]
    repeats = sum(n - 1 for n in Counter(sent).values())
    exposures = facts.get("exposures", {})
    return {"site": name, "requests": len(sent), "connections": len(connects), "repeated": repeats,
            "head": sum(1 for m, _, _ in sent if m == "HEAD"), "cpu_ms": round(cpu * 1000),
            "exposure_hits": sorted(f"{h['id']}:{h['path']}" for h in exposures.get("hits", []))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--portals-only", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    rows: list[dict[str, Any]] = []
    for variant in VARIANTS:
        portal = start_site(variant, https=True)
        try:
            rows.append(_measure(f"portal-{variant}", Target(TargetKind.URL, portal.base_url,
                                                              options=portal.target_options)))
        finally:
            portal.stop()
    if not args.portals_only:
        workdir = Path(tempfile.mkdtemp(prefix="pindai-httpcost-"))
        try:
            for name, start in REAL.items():
                try:
                    server = start(workdir)
                except RuntimeError as exc:
                    print(f"{name}: not started ({exc})", file=sys.stderr)
                    continue
                try:
                    rows.append(_measure(name, Target(TargetKind.URL, server.base_url)))
                finally:
                    server.stop()
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
    columns = ("requests", "connections", "repeated", "head", "cpu_ms")
    print(f"{'site':<18} " + " ".join(f"{c:>11}" for c in columns) + "  exposure hits")
    for row in rows:
        print(f"{row['site']:<18} " + " ".join(f"{row[c]:>11}" for c in columns) + f"  {len(row['exposure_hits'])}")
    print(f"{'mean':<18} " + " ".join(f"{sum(r[c] for r in rows) / len(rows):>11.1f}" for c in columns))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
