"""Judge cost: CPU per observation, celpy (the engine before issue 16) beside the Rust-backed CEL.

Judges the stored facts of tests/data (demo: every probe; fleet: two nginx endpoints of
bench/fleet_scan.py) with both evaluators in one process and one run, checks that the findings
are identical, and prints CPU milliseconds per observation.

    .venv/bin/python bench/judge_cost.py [--copies 50] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scanner.judging.engine import Judgement, _judge_serially  # noqa: E402
from scanner.judging.rules import RuleSet, load_rules  # noqa: E402
from scanner.model import Facts, Target  # noqa: E402
from tests.celpy_reference import celpy_ruleset  # noqa: E402


def _copies(name: str, copies: int) -> tuple[list[Facts], list[Target]]:
    raw = json.loads((ROOT / "tests" / "data" / name).read_text(encoding="utf-8"))
    base = [Target.from_dict(t) for t in raw["targets"]]
    facts: list[Facts] = []
    targets: list[Target] = []
    for n in range(copies):
        renamed = {t.id: replace(t, location=f"{t.location}#{n}" if "://" in t.location else f"{t.location}-{n}")
                   for t in base}
        targets.extend(renamed.values())
        facts.extend(replace(Facts.from_dict(f), target_id=renamed[f["target_id"]].id) for f in raw["facts"])
    return facts, targets


def _timed(facts: list[Facts], targets: list[Target], ruleset: RuleSet) -> tuple[float, Judgement]:
    cpu = time.process_time()
    judgement = _judge_serially(facts, targets, ruleset)
    return 1000 * (time.process_time() - cpu) / len(facts), judgement


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--copies", type=int, default=20, help="copies of each fact file (distinct targets)")
    parser.add_argument("--profile", action="store_true", help="print the top of a cProfile of the fast judge")
    args = parser.parse_args()
    fast_rules = load_rules()
    reference_rules = celpy_ruleset(fast_rules)
    print(f"{'facts':18} {'observations':>12} {'celpy ms/obs':>13} {'cel ms/obs':>11} {'speed-up':>9} identical")
    for name in ("demo-facts.json", "fleet-facts.json"):
        facts, targets = _copies(name, args.copies)
        before, old = _timed(facts, targets, reference_rules)
        after, new = _timed(facts, targets, fast_rules)
        same = sorted(f.fingerprint for f in old.findings) == sorted(f.fingerprint for f in new.findings)
        print(f"{name:18} {len(facts):12d} {before:13.2f} {after:11.2f} {before / after:8.1f}x {same}", flush=True)
        if args.profile:
            profiler = cProfile.Profile()
            profiler.runcall(_judge_serially, facts, targets, fast_rules)
            pstats.Stats(profiler).sort_stats("tottime").print_stats(8)
    return 0


if __name__ == "__main__":
    sys.exit(main())
