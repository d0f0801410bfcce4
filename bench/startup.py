"""Start-up time of short commands: median wall time of N runs, optionally beside another checkout.

    .venv/bin/python bench/startup.py [--runs 7] [--before DIR]

``--before DIR`` runs the ``pindai`` of another checkout (e.g. an unpacked ``git archive main``)
with this venv's Python, interleaved with the current one so both see the same machine load.
The first run of each command warms the parsed-YAML cache (``~/.cache/pindai``) and is not counted.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = (["--version"], ["rules", "list"], ["scan", "--help"])


def _wall(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    subprocess.run(cmd, capture_output=True, env=env, check=True, timeout=120, cwd="/")  # not a checkout
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--before", type=Path, help="another checkout to time beside this one")
    args = parser.parse_args()
    run = [sys.executable, "-c", "from scanner.cli import main; main()"]  # the same launcher for both
    tools = {"now": (run, {**os.environ, "PYTHONPATH": str(ROOT)})}
    if args.before:
        tools["before"] = (run, {**os.environ, "PYTHONPATH": str(args.before)})
    print(f"load average at start: {os.getloadavg()[0]:.1f}; median of {args.runs} runs; wall s / CPU s")
    print(f"{'command':16} " + " ".join(f"{name:>16}" for name in tools))
    for command in COMMANDS:
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in tools}
        for prefix, env in tools.values():
            _wall(prefix + command, env)  # warm-up (file cache, parsed-YAML cache)
        for _ in range(args.runs):
            for name, (prefix, env) in tools.items():
                times[name].append(_wall(prefix + command, env))
        cells = [f"{statistics.median(w for w, _ in t):7.2f} / {statistics.median(c for _, c in t):5.2f}"
                 for t in times.values()]
        print(f"{' '.join(command):16} " + " ".join(f"{c:>16}" for c in cells), flush=True)
    print(f"load average at end: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
