"""Start-up time of short commands: median wall time of N runs, optionally beside another checkout.

    .venv/bin/python bench/startup.py [--runs 7] [--before DIR]

``--before DIR`` runs the ``pindai`` of another checkout (e.g. an unpacked ``git archive main``)
with this venv's Python, interleaved with the current one so both see the same machine load.
The first run of each command warms the parsed-YAML cache (``~/.cache/pindai``) and is not counted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

COMMANDS = (["--version"], ["rules", "list"], ["scan", "--help"])


def _wall(cmd: list[str], env: dict[str, str]) -> float:
    start = time.monotonic()
    subprocess.run(cmd, capture_output=True, env=env, check=True, timeout=120)
    return time.monotonic() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--before", type=Path, help="another checkout to time beside this one")
    args = parser.parse_args()
    tools = {"now": ([str(Path(sys.executable).with_name("pindai"))], dict(os.environ))}
    if args.before:
        tools["before"] = ([sys.executable, "-c", "from scanner.cli import main; main()"],
                           {**os.environ, "PYTHONPATH": str(args.before)})
    print(f"load average at start: {os.getloadavg()[0]:.1f}; median of {args.runs} runs, seconds")
    print(f"{'command':16} " + " ".join(f"{name:>8}" for name in tools))
    for command in COMMANDS:
        times: dict[str, list[float]] = {name: [] for name in tools}
        for prefix, env in tools.values():
            _wall(prefix + command, env)  # warm-up (file cache, parsed-YAML cache)
        for _ in range(args.runs):
            for name, (prefix, env) in tools.items():
                times[name].append(_wall(prefix + command, env))
        print(f"{' '.join(command):16} " + " ".join(f"{statistics.median(t):8.2f}" for t in times.values()),
              flush=True)
    print(f"load average at end: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
