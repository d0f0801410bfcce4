"""Route discovery cost (issue 29): requests per target of the auth probe's black-box mode.

Starts local sites on 127.0.0.1, runs the real auth probe (no judge) on each, and prints per site:
requests sent by the whole black-box run, how many of them route discovery made (siblings
included), routes tried and found, tokens seen, and the probe thread's CPU time. With
``--before DIR`` the same sites are also scanned by the auth probe of another checkout (an
unpacked ``git archive`` of the commit before the change), in a child process with
``PYTHONPATH=DIR``, so the extra requests per target are measured on the same servers.

Sites: the black-box portal (fixtures/portal), the same portal with its token endpoint hidden, a
catch-all site that answers 200 to every path, the hostile portal (every ``/api/*`` a 401 with a
different body), the Dukcapil API (fixtures/api), the demo's web portal (fixtures/web), and unless
``--fixtures-only`` the real-software sites of fixtures/realweb (Flask, FastAPI, Django, Express,
PHP, nginx, WordPress; a site that cannot start here is left out and said so).

    git archive 7e9e656 | tar -x -C /tmp/i29-before
    .venv/bin/python bench/auth_routes_cost.py --before /tmp/i29-before
    .venv/bin/python bench/auth_routes_cost.py --fixtures-only --json out/auth-routes.json

Results are recorded in docs/performance.md ("Route discovery of the auth probe").
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fixtures.api import start_api  # noqa: E402
from fixtures.portal import start_catchall, start_portal  # noqa: E402
from fixtures.portal.hostile import create_hostile_app  # noqa: E402
from fixtures.realweb import httpd, node, php, python_apps, wordpress  # noqa: E402
from fixtures.web import start_site  # noqa: E402
from fixtures.web.server import serve  # noqa: E402

Start = Callable[[Path], tuple[str, Callable[[], None]]]


def _portal(workdir: Path) -> tuple[str, Callable[[], None]]:
    site = start_site("vulnerable")
    return site.base_url, site.stop


def _real(start: Callable[[Path], Any]) -> Start:
    def started(workdir: Path) -> tuple[str, Callable[[], None]]:
        server = start(workdir)
        return server.base_url, server.stop
    return started


FIXTURES: dict[str, Start] = {
    "portal": lambda _: start_portal(),
    "portal-hidden-token": lambda _: start_portal(hidden_token=True),
    "catch-all": lambda _: start_catchall(),
    "hostile-portal": lambda _: (lambda s: (s[0], s[2]))(serve(create_hostile_app())),
    "dukcapil-api": lambda _: start_api(),
    "demo-web-portal": _portal,
}
REAL: dict[str, Start] = {
    "flask-debug": _real(partial(python_apps.start_flask, debug=True)),
    "fastapi-docs": _real(partial(python_apps.start_fastapi, docs=True)),
    "django-debug": _real(partial(python_apps.start_django, debug=True)),
    "express-dev": _real(partial(node.start_express, hardened=False)),
    "php-weak": _real(partial(php.start_php, hardened=False)),
    "nginx-weak": _real(partial(httpd.start_nginx, hardened=False)),
    "wordpress": lambda workdir: (lambda wp: (wp.weak_url, wp.stop))(wordpress.start_wordpress(workdir)),
}

# run in a child process by --before: the other checkout's auth probe on one URL, facts summary as JSON
CHILD = """
import json, sys, time
from scanner.model import Target, TargetKind
from scanner.running.politeness import HostGate, PolitenessPolicy
from scanner.probes.auth.probe import AuthProbe
from scanner.probes.base import ProbeContext
from scanner.running.scope import Scope
ctx = ProbeContext(gate=HostGate(PolitenessPolicy(per_host_concurrency=4, requests_per_second=1000, timeout_s=5)),
                   scope=Scope(patterns=("127.0.0.1",)))
cpu, wall = time.thread_time(), time.monotonic()
facts = AuthProbe().run(Target(TargetKind.URL, sys.argv[1]), ctx)
print(json.dumps({"requests": facts["requests_sent"], "cpu_ms": round((time.thread_time() - cpu) * 1000),
                  "wall_ms": round((time.monotonic() - wall) * 1000),
                  "tokens": len(facts["tokens"]), "endpoints": len(facts["endpoints"])}))
"""


def _context() -> Any:
    from scanner.probes.base import ProbeContext
    from scanner.running.politeness import HostGate, PolitenessPolicy
    from scanner.running.scope import Scope

    policy = PolitenessPolicy(per_host_concurrency=4, requests_per_second=1000, timeout_s=5)
    return ProbeContext(gate=HostGate(policy), scope=Scope(patterns=("127.0.0.1",)))


def measure(name: str, url: str) -> dict[str, Any]:
    """This checkout's auth probe (black-box) on ``url``."""
    from scanner.model import Target, TargetKind
    from scanner.probes.auth.probe import AuthProbe

    cpu, wall = time.thread_time(), time.monotonic()
    facts = AuthProbe().run(Target(TargetKind.URL, url), _context())
    cpu, wall = time.thread_time() - cpu, time.monotonic() - wall
    routes = facts["discovery"].get("routes", {})
    return {"site": name, "requests": facts["requests_sent"], "route_requests": routes.get("requests", 0),
            "tried": routes.get("tried", 0), "found": [f["path"] for f in routes.get("found", [])],
            "tokens": len(facts["tokens"]), "endpoints": len(facts["endpoints"]), "cpu_ms": round(cpu * 1000),
            "wall_ms": round(wall * 1000),
            "limits": [c["code"] for c in facts.get("coverage_limits", [])]}


def measure_before(checkout: Path, url: str) -> dict[str, Any]:
    """Another checkout's auth probe on ``url``, in a child process (its own modules, this venv)."""
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    done = subprocess.run([sys.executable, "-c", CHILD, url], capture_output=True, text=True, env=env,
                          cwd=tempfile.gettempdir(), timeout=600, check=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@contextmanager
def running(start: Start, workdir: Path) -> Iterator[str | None]:
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        url, stop = start(workdir)
    except (RuntimeError, OSError) as exc:
        print(f"not started: {exc}", file=sys.stderr)
        yield None
        return
    try:
        yield url
    finally:
        stop()


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", type=Path, help="another checkout whose auth probe to run beside this one")
    parser.add_argument("--fixtures-only", action="store_true", help="leave out the real-software sites")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    sites = {**FIXTURES, **({} if args.fixtures_only else REAL)}
    rows: list[dict[str, Any]] = []
    print(f"load average at start: {_load()}", file=sys.stderr)
    workdir = Path(tempfile.mkdtemp(prefix="pindai-routecost-"))
    try:
        for name, start in sites.items():
            with running(start, workdir / name) as url:
                if url is None:
                    print(f"{name}: left out", file=sys.stderr)
                    continue
                row = measure(name, url)
                if args.before:
                    row["before"] = measure_before(args.before, url)
                rows.append(row)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"load average at end: {_load()}", file=sys.stderr)
    before = " before  extra before_ms" if args.before else ""
    print(f"{'site':<20} {'requests':>8}{before} {'routes':>7} {'tried':>6} {'tokens':>6} {'cpu_ms':>7}"
          f" {'wall_ms':>8}  found")
    for row in rows:
        old = row.get("before", {})
        extra = f" {old['requests']:>6} {row['requests'] - old['requests']:>6} {old['wall_ms']:>9}" if old else ""
        print(f"{row['site']:<20} {row['requests']:>8}{extra} {row['route_requests']:>7} {row['tried']:>6}"
              f" {row['tokens']:>6} {row['cpu_ms']:>7} {row['wall_ms']:>8}  {' '.join(row['found']) or '-'}"
              + (f"  limits: {','.join(row['limits'])}" if row["limits"] else ""))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
