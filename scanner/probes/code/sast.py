"""PHP and JavaScript static analysis: semgrep's open-source engine on Pindai's own rules, offline.

The rules (``rules/code/semgrep.yaml``) cover what kabupaten code gets wrong; each carries a
``category`` that rules/code.yaml selects on. semgrep is optional (``pip install 'pindai[sast]'``):
without it the facts say "not configured" and reports list the checks as not tested.

semgrep starts once per scan. It never reads the scanned tree itself: the PHP/JavaScript files the
walk selected (``.pindaiignore``, skipped directories, size cap, no symlinks) are written, as the text
the probe read, into a private staging directory that semgrep scans whole. So it analyses exactly
those files, however many, without a long command line (this semgrep has no target-list option) and
without re-reading a file that changed or became a symlink after the walk. The staging root's own
``.semgrepignore`` replaces semgrep's default ignore list (``tests/``, ``build/``, ``*.min.js``...), which
would otherwise drop selected files; ``--project-root`` keeps any ``.semgrepignore`` above it out.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
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
TIMEOUT_S = 900  # wall-clock limit of the semgrep run
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


def _stage(targets: list[SourceFile], into: Path) -> None:
    """Write ``targets`` under ``into`` at their relative paths, as the text the walk read (UTF-8)."""
    (into / ".semgrepignore").write_text("# Pindai staged exactly the files to scan: ignore none\n",
                                         encoding="utf-8")
    made = {into}
    for source in targets:
        dest = into / source.rel
        if dest.parent not in made:
            dest.parent.mkdir(parents=True, exist_ok=True)
            made.add(dest.parent)
        with dest.open("x", encoding="utf-8", newline="") as out:  # "x": two paths never share a file
            out.write(source.text)


def _run(command: str, targets: list[SourceFile]) -> dict[str, Any]:
    """semgrep's JSON output for ``targets``: one run over a staging directory holding just them."""
    config = rules_dir() / "code" / "semgrep.yaml"
    with tempfile.TemporaryDirectory(prefix="pindai-sast-") as scratch:
        staged = Path(scratch)
        _stage(targets, staged)
        argv = [command, "scan", "--config", str(config), "--json", "--quiet", "--metrics", "off",
                "--disable-version-check", "--no-git-ignore", "--project-root", ".", "--timeout", "30", "."]
        proc = subprocess.run(argv, capture_output=True, text=True, cwd=staged, env=_environment(),
                              timeout=TIMEOUT_S, check=False)
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
    by_rel = {f.rel: f for f in targets}
    try:
        out = _run(command, targets)
    except (OSError, RuntimeError, ValueError, subprocess.TimeoutExpired) as exc:
        return {"status": SubStatus.INCONCLUSIVE, "reason": f"semgrep failed: {exc}"[:300], "files": len(targets),
                "findings": []}
    findings = [f for f in (_finding(r, by_rel, detectors) for r in out.get("results", [])) if f]
    errors = [{"file": str(e.get("path", "")), "reason": str(e.get("message", ""))[:200]}
              for e in out.get("errors", []) if e.get("level") != "warn"]
    unique = {(f.check, f.file, f.line): f for f in findings}  # one result per rule and line
    ordered = sorted(unique.values(), key=lambda f: (f.file, f.line, f.check))
    number_repeats(ordered)
    return {"status": SubStatus.OK, "engine": "semgrep", "version": str(out.get("version") or "unknown"),
            "files": len(targets), "findings": [f.model_dump() for f in ordered], "errors": errors}

