"""Benchmark: render a 10,000-finding scan in every report format and print the times.

Usage: .venv/bin/python bench/report_render.py [N_FINDINGS]   (target: HTML <= 3 s for 10,000)
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scanner.report import renderer  # noqa: E402
from tests.report.fixtures import big_result, synthetic_ruleset  # noqa: E402

TARGET_S = 3.0


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    with tempfile.TemporaryDirectory() as tmp:
        ruleset = synthetic_ruleset(Path(tmp))
    result = big_result(ruleset, n)
    print(f"{n} findings, {len(result.targets)} targets, {len({t.agency for t in result.targets})} agencies")
    html_time = 0.0
    for fmt in ("html", "sarif", "junit", "csv", "markdown", "json"):
        start = time.perf_counter()
        out = renderer(fmt)(result, ruleset, "id")
        elapsed = time.perf_counter() - start
        if fmt == "html":
            html_time = elapsed
        print(f"{fmt:<9} {elapsed:6.2f} s  {len(out.encode()) / 1e6:7.1f} MB")
    ok = html_time <= TARGET_S
    print(f"html report: {html_time:.2f} s (target <= {TARGET_S:.0f} s): {'OK' if ok else 'TOO SLOW'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
