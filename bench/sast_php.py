"""The semgrep step of the code probe on a ~100k-line PHP tree, beside bare semgrep with the same rules.

Generates a deterministic Laravel/CodeIgniter-like tree (fixtures/source/php_tree.py: controllers,
models, Blade and CodeIgniter views, seven planted weaknesses), then, each in its own process, one
after another:

- ``pindai-sast``: the code probe's whole observation (``observe_tree``) with semgrep;
- ``pindai-no-sast``: the same without semgrep (``$PINDAI_SEMGREP`` names no file: "not configured");
- ``semgrep``: semgrep alone on the same tree with Pindai's rule file (``rules/code/semgrep.yaml``), the
  flags Pindai passes, one run over the whole tree;
- ``semgrep-as-probe``: semgrep alone as Pindai calls it (``sast._run``): the PHP files written to a
  staging directory and one run over it, to tell semgrep's cost from the rest of the probe's.

Prints wall time, CPU time, peak RSS (the Python process and its largest child, semgrep-core) and the
findings: SAST findings in the facts, findings after judging, results of bare semgrep, and which
planted weaknesses were found. Pindai's SAST step = pindai-sast - pindai-no-sast; the ratio to bare
semgrep is its overhead (staging the files, reading results, masking snippets).

    .venv/bin/python bench/sast_php.py [--lines 100000] [--repeat 1] [--tree DIR] [--json FILE]

semgrep is found as the code probe finds it: ``$PINDAI_SEMGREP``, PATH, or ``.venv-semgrep/bin/semgrep``.
Not a test: it asserts nothing about time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MODES = ("pindai-no-sast", "pindai-sast", "semgrep", "semgrep-as-probe")


def _semgrep() -> str:
    for candidate in (os.environ.get("PINDAI_SEMGREP"), str(ROOT / ".venv-semgrep" / "bin" / "semgrep")):
        if candidate and Path(candidate).is_file():
            return candidate
    from scanner.probes.code.sast import semgrep_command

    found = semgrep_command()
    if found is None:
        sys.exit("semgrep not found: set PINDAI_SEMGREP or install .venv-semgrep (scripts/setup-venv.sh)")
    return found


def _peaks() -> dict[str, float]:
    """Peak RSS in MiB of this process and of its largest waited-for descendant (Linux: KiB units)."""
    return {"rss_self_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "rss_child_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}


def _cpu() -> float:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _measure_pindai(tree: Path) -> dict[str, Any]:
    from scanner.judging.rules import load_rules
    from scanner.model import Facts, ScanResult, Target, TargetKind
    from scanner.probes.code.probe import observe_tree
    from scanner.running.scan import judged

    started, cpu = time.perf_counter(), _cpu()
    facts = observe_tree(tree)
    wall, used = time.perf_counter() - started, _cpu() - cpu
    target = Target(TargetKind.SOURCE, str(tree))
    result = judged(ScanResult("bench", "", "", "", "", [target], [Facts("code", target.id, facts)]), load_rules())
    sast = facts["sast"]
    checks = sorted({f["check"] for f in sast.get("findings", [])})
    return {"wall_s": wall, "cpu_s": used, "sast_status": sast["status"], "php_files": sast.get("files", 0),
            "sast_findings": len(sast.get("findings", [])), "sast_errors": len(sast.get("errors", [])),
            "checks": checks, "judged_findings": len(result.findings),
            "judged_sast_findings": sum(1 for f in result.findings if f.evidence.get("check") in checks)}


def _measure_semgrep(tree: Path) -> dict[str, Any]:
    from scanner.probes.code.sast import _environment

    config = ROOT / "rules" / "code" / "semgrep.yaml"
    argv = [_semgrep(), "scan", "--config", str(config), "--json", "--quiet", "--metrics", "off",
            "--disable-version-check", "--no-git-ignore", "--timeout", "30", "."]
    started, cpu = time.perf_counter(), _cpu()
    proc = subprocess.run(argv, capture_output=True, text=True, cwd=tree, env=_environment(), check=False)
    wall, used = time.perf_counter() - started, _cpu() - cpu
    out = json.loads(proc.stdout or "{}")
    results = out.get("results", [])
    checks = sorted({str(r.get("check_id", "")).rsplit(".", 1)[-1] for r in results})
    return {"wall_s": wall, "cpu_s": used, "exit": proc.returncode, "results": len(results),
            "scanned": len(out.get("paths", {}).get("scanned", [])),
            "errors": len([e for e in out.get("errors", []) if e.get("level") != "warn"]), "checks": checks}


def _measure_as_probe(tree: Path) -> dict[str, Any]:
    from scanner.probes.code.sast import LANGUAGE_BY_SUFFIX, _run
    from scanner.probes.code.walk import SourceFile

    files = [SourceFile(p.relative_to(tree).as_posix(), p, p.read_text(encoding="utf-8"))
             for p in sorted(tree.rglob("*")) if p.is_file() and p.suffix.lower() in LANGUAGE_BY_SUFFIX]
    command = _semgrep()
    started, cpu = time.perf_counter(), _cpu()
    out = _run(command, files)
    wall, used = time.perf_counter() - started, _cpu() - cpu
    return {"wall_s": wall, "cpu_s": used, "results": len(out.get("results", [])),
            "scanned": len(out.get("paths", {}).get("scanned", [])), "version": out.get("version", "")}


def _one(mode: str, tree: Path) -> None:
    """Child process: one measurement, printed as one JSON line."""
    if mode == "pindai-no-sast":
        os.environ["PINDAI_SEMGREP"] = str(tree / "no-semgrep-here")
    elif mode == "pindai-sast":
        os.environ["PINDAI_SEMGREP"] = _semgrep()
    measure = {"semgrep": _measure_semgrep, "semgrep-as-probe": _measure_as_probe}.get(mode, _measure_pindai)
    measured = measure(tree)
    print(json.dumps({"mode": mode, **measured, **_peaks()}))


def _run(mode: str, tree: Path) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, __file__, "--one", mode, "--tree", str(tree)], capture_output=True,
                          text=True, check=True)
    measured: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return measured


def _lines(tree: Path) -> tuple[int, int]:
    files = [p for p in tree.rglob("*.php") if p.is_file()]
    return len(files), sum(p.read_text(encoding="utf-8").count("\n") for p in files)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--lines", type=int, default=100_000, help="size of the generated tree")
    parser.add_argument("--seed", type=int, default=29)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each mode (interleaved)")
    parser.add_argument("--tree", type=Path, help="use (or, when empty, generate) this tree")
    parser.add_argument("--json", type=Path, help="write every measurement here")
    parser.add_argument("--one", choices=MODES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        _one(args.one, args.tree)
        return 0
    from fixtures.source.php_tree import PLANTED, generate

    with tempfile.TemporaryDirectory(prefix="pindai-php-") as scratch:
        tree = args.tree or Path(scratch) / "kabupaten-app"
        if not tree.exists() or not any(tree.iterdir()):
            generate(tree, args.lines, args.seed)
        files, lines = _lines(tree)
        print(f"tree: {files} PHP files, {lines} lines; semgrep {_semgrep()}; {platform.platform()}, "
              f"{os.cpu_count()} cores", flush=True)
        runs = [_run(mode, tree) for _ in range(args.repeat) for mode in MODES]
    print(f"{'mode':16} {'wall s':>8} {'cpu s':>8} {'py RSS MiB':>11} {'child RSS MiB':>14} findings")
    for r in runs:
        summary = (f"{r['sast_findings']} sast / {r['judged_findings']} judged ({r['sast_status']})"
                   if r["mode"].startswith("pindai") else f"{r['results']} results, {r['scanned']} files scanned")
        if r["mode"] == "semgrep-as-probe":
            summary += f" (one run, staged, semgrep {r['version']})"
        print(f"{r['mode']:16} {r['wall_s']:8.1f} {r['cpu_s']:8.1f} {r['rss_self_mib']:11.0f} "
              f"{r['rss_child_mib']:14.0f} {summary}")
    by_mode = {m: [r for r in runs if r["mode"] == m] for m in MODES}
    for unit in ("wall_s", "cpu_s"):
        best = {m: min(r[unit] for r in rs) for m, rs in by_mode.items()}
        step = best["pindai-sast"] - best["pindai-no-sast"]
        print(f"{unit[:-2]}: Pindai's SAST step (best pindai-sast - best pindai-no-sast) {step:.1f} s; "
              f"bare semgrep {best['semgrep']:.1f} s, ratio {step / best['semgrep']:.2f}; "
              f"semgrep as Pindai calls it {best['semgrep-as-probe']:.1f} s, "
              f"ratio {step / best['semgrep-as-probe']:.2f}")
    found = set(by_mode["pindai-sast"][-1]["checks"])
    print(f"planted weaknesses found by Pindai: {len(found & set(PLANTED))}/{len(PLANTED)}"
          f"{'' if set(PLANTED) <= found else ' (missing: ' + ', '.join(sorted(set(PLANTED) - found)) + ')'}; "
          f"other checks reported: {sorted(found - set(PLANTED)) or 'none'}")
    if args.json:
        args.json.write_text(json.dumps({"files": files, "lines": lines, "runs": runs}, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
