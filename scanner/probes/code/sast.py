"""PHP and JavaScript static analysis: semgrep's open-source engine on Pindai's own rules, offline.

The rules (``rules/code/semgrep.yaml``) cover what kabupaten code gets wrong; each carries a
``category`` that rules/code.yaml selects on. semgrep is optional (``pip install 'pindai[sast]'``):
without it the facts say "not configured" and reports list the checks as not tested.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from scanner.probes.base import SubStatus
from scanner.probes.code.facts import SastFinding
from scanner.probes.code.patterns import Detectors
from scanner.probes.code.snippet import line_key, number_repeats, snippet
from scanner.probes.code.walk import SourceFile
from scanner.resources import rules_dir

LANGUAGE_BY_SUFFIX = {".php": "php", ".phtml": "php", ".js": "javascript", ".mjs": "javascript",
                      ".cjs": "javascript", ".jsx": "javascript", ".ts": "typescript", ".tsx": "typescript"}
BATCH = 1000  # files per semgrep run (keeps the command line short)
TIMEOUT_S = 900  # wall-clock limit per run
INSTALL_HINT = "install it with: pip install 'pindai[sast]' (pipx: pipx inject pindai semgrep)"


def semgrep_command() -> str | None:
    """The semgrep executable: ``$PINDAI_SEMGREP``, PATH, or beside this Python (a venv without PATH)."""
    configured = os.environ.get("PINDAI_SEMGREP")
    if configured:
        return configured if Path(configured).is_file() else None
    found = shutil.which("semgrep")
    if found:
        return found
    beside = Path(sys.executable).with_name("semgrep")
    return str(beside) if beside.is_file() else None


def _targets(files: list[SourceFile]) -> list[SourceFile]:
    """The PHP/JavaScript files of the inventory (which already leaves out vendor/ and node_modules/)."""
    return [f for f in files if Path(f.rel).suffix.lower() in LANGUAGE_BY_SUFFIX]


def _environment() -> dict[str, str]:
    """No metrics, no version check, no login token, no proxy from the environment: nothing leaves the machine."""
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")}
    return {**keep, "SEMGREP_SEND_METRICS": "off", "SEMGREP_ENABLE_VERSION_CHECK": "0"}


def _run(command: str, paths: list[str], cwd: Path) -> dict[str, Any]:
    config = rules_dir() / "code" / "semgrep.yaml"
    argv = [command, "scan", "--config", str(config), "--json", "--quiet", "--metrics", "off",
            "--disable-version-check", "--no-git-ignore", "--timeout", "30", "--", *paths]
    proc = subprocess.run(argv, capture_output=True, text=True, cwd=cwd, env=_environment(), timeout=TIMEOUT_S,
                          check=False)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"semgrep exited {proc.returncode}: {proc.stderr.strip()[-300:]}")
    result: dict[str, Any] = json.loads(proc.stdout or "{}")
    return result


def _finding(result: dict[str, Any], by_rel: dict[str, SourceFile], detectors: Detectors) -> SastFinding | None:
    source = by_rel.get(Path(result.get("path", "")).as_posix())
    if source is None:
        return None
    meta = result.get("extra", {}).get("metadata", {})
    line = int(result.get("start", {}).get("line", 0))
    last = int(result.get("end", {}).get("line", line))
    lines = source.text.splitlines()
    flagged = lines[line - 1] if 0 < line <= len(lines) else ""
    check = str(result.get("check_id", "")).rsplit(".", 1)[-1]
    return SastFinding(check=check, category=str(meta.get("category", "other")), cwe=int(meta.get("cwe", 0)),
                       language=LANGUAGE_BY_SUFFIX.get(Path(source.rel).suffix.lower(), ""), file=source.rel,
                       line=line, code=snippet(lines, line, last, detectors),
                       key=line_key(source.rel, check, flagged))


def run_sast(root: Path, files: list[SourceFile], detectors: Detectors) -> dict[str, Any]:
    """Facts of the PHP/JavaScript analysis of ``files`` (relative to ``root``)."""
    targets = _targets(files)
    if not targets:
        return {"status": SubStatus.SKIPPED, "reason": "no PHP or JavaScript files", "files": 0, "findings": []}
    command = semgrep_command()
    if command is None:
        return {"status": SubStatus.NOT_CONFIGURED, "reason": f"semgrep is not installed; {INSTALL_HINT}",
                "files": len(targets), "findings": []}
    base = root if root.is_dir() else root.parent
    by_rel = {f.rel: f for f in targets}
    findings: list[SastFinding] = []
    errors: list[dict[str, str]] = []
    try:
        for start in range(0, len(targets), BATCH):
            out = _run(command, [f.rel for f in targets[start:start + BATCH]], base)
            findings.extend(f for f in (_finding(r, by_rel, detectors) for r in out.get("results", [])) if f)
            errors.extend({"file": str(e.get("path", "")), "reason": str(e.get("message", ""))[:200]}
                          for e in out.get("errors", []) if e.get("level") != "warn")
    except (OSError, RuntimeError, ValueError, subprocess.TimeoutExpired) as exc:
        return {"status": SubStatus.INCONCLUSIVE, "reason": f"semgrep failed: {exc}"[:300], "files": len(targets),
                "findings": []}
    unique = {(f.check, f.file, f.line): f for f in findings}  # one result per rule and line
    ordered = sorted(unique.values(), key=lambda f: (f.file, f.line, f.check))
    number_repeats(ordered)
    return {"status": SubStatus.OK, "engine": "semgrep", "version": _version(command), "files": len(targets),
            "findings": [f.model_dump() for f in ordered], "errors": errors}


def _version(command: str) -> str:
    try:
        proc = subprocess.run([command, "--version"], capture_output=True, text=True, env=_environment(),
                              timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return proc.stdout.strip() or "unknown"
