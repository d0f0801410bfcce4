"""Secrets in git history: the added lines of every commit, read with the same detectors as the tree.

A secret committed and later deleted stays in the history, where anyone with a clone finds it
(gitleaks and trufflehog look there too). ``git log -p`` runs with the repository's own
configuration neutralised as far as git allows: no external diff, no textconv, no pager, no
fsmonitor, no system or global configuration. Only hashes, dates, paths, line numbers and masked
values enter the facts; author names and e-mail addresses never do.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scanner.probes.base import SubStatus
from scanner.probes.code.facts import SecretHit
from scanner.probes.code.patterns import Detectors
from scanner.probes.code.secrets import scan_file
from scanner.probes.code.walk import SourceFile

MAX_COMMITS = 5000
MAX_PATCH_BYTES = 256 * 1024 * 1024
TIMEOUT_S = 600
_SEPARATOR = "\x1e"  # starts each commit header in the log output


@dataclass
class _Added:
    commit: str
    date: str
    file: str
    lines: list[tuple[int, str]]  # (line number in the new file, text)


def _environment() -> dict[str, str]:
    """No system/global configuration, no prompts, no pager."""
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "TMPDIR")}
    return {**keep, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_TERMINAL_PROMPT": "0",
            "GIT_PAGER": "cat", "HOME": os.devnull}


def _base_argv(git: str, root: Path) -> list[str]:
    return [git, "-C", str(root), "-c", "core.fsmonitor=false", "-c", "core.pager=cat",
            "-c", "diff.external=", "-c", "core.hooksPath=" + os.devnull, "-c", "safe.directory=*"]


def _repository_top(git: str, root: Path) -> Path | None:
    proc = subprocess.run([*_base_argv(git, root), "rev-parse", "--show-toplevel"], capture_output=True, text=True,
                          env=_environment(), timeout=60, check=False)
    return Path(proc.stdout.strip()) if proc.returncode == 0 and proc.stdout.strip() else None


def _log_argv(git: str, root: Path, since: str | None) -> list[str]:
    revisions = [f"{since}..HEAD"] if since else ["HEAD"]
    return [*_base_argv(git, root), "log", "--no-color", "--no-ext-diff", "--no-textconv", "--no-renames",
            f"--max-count={MAX_COMMITS}", "--unified=0", "--diff-filter=AM", "-p",
            f"--format={_SEPARATOR}%H %cI", *revisions, "--", "."]


def _parse(lines: Iterator[str], prefix: str) -> Iterator[_Added]:
    """Added lines per (commit, file) from ``git log -p --unified=0`` output."""
    commit = date = ""
    current: _Added | None = None
    new_line = 0
    for raw in lines:
        line = raw.rstrip("\n")
        if line.startswith(_SEPARATOR):
            if current and current.lines:
                yield current
            current = None
            commit, _, date = line[1:].partition(" ")
        elif line.startswith("+++ "):
            if current and current.lines:
                yield current
            path = line[4:]
            path = path[2:] if path.startswith("b/") else path
            rel = path[len(prefix):] if prefix and path.startswith(prefix) else path
            current = None if path == "/dev/null" else _Added(commit, date, rel, [])
        elif line.startswith("@@ "):
            new = line.split(" ")[2]  # +start[,count]
            new_line = int(new[1:].split(",")[0] or 0)
        elif current is not None and line.startswith("+"):
            current.lines.append((new_line, line[1:]))
            new_line += 1
    if current and current.lines:
        yield current


def _hits(added: _Added, detectors: Detectors) -> list[tuple[SecretHit, int]]:
    """Secrets on the added lines, with each hit's line number in the committed file."""
    text = "\n".join(t for _, t in added.lines)
    hits, _ = scan_file(SourceFile(added.file, Path(added.file), text), detectors)
    return [(h, added.lines[h.line - 1][0]) for h in hits if 0 < h.line <= len(added.lines)]


def _entry(added: _Added, hit: SecretHit, line: int, in_tree: bool) -> dict[str, Any]:
    return {"commit": added.commit[:12], "date": added.date, "file": hit.file, "line": line,
            "pattern": hit.pattern, "kind": hit.kind, "detector": hit.detector, "variable": hit.variable,
            "masked": hit.masked, "length": hit.length, "template": hit.template,
            "documentation": hit.documentation, "in_working_tree": in_tree, "commits": 0,
            "key": f"{hit.file}:{hit.pattern}:{hit.variable or hit.masked}:history"}


@dataclass
class _Log:
    """``git log -p`` read line by line, at most MAX_PATCH_BYTES; counts the commits it passes."""

    proc: subprocess.Popen[str]
    commits: int = 0
    read: int = 0
    truncated: bool = False

    def lines(self) -> Iterator[str]:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.read += len(line)
            if self.read > MAX_PATCH_BYTES:
                self.truncated = True
                return
            self.commits += line.startswith(_SEPARATOR)
            yield line


def scan_history(root: Path, detectors: Detectors, since: str | None,
                 current: list[SecretHit]) -> dict[str, Any]:
    """Facts about secrets added by the commits reachable from HEAD (or since ``since``).

    A secret added in several commits is one entry (the first commit, with a count);
    ``in_working_tree`` says whether the same value is still in the scanned tree.
    """
    if since is not None and (since.startswith("-") or not since.strip()):
        return {"status": SubStatus.INCONCLUSIVE, "reason": f"not a commit: {since!r}", "secrets": []}
    git = shutil.which("git")
    if git is None:
        return {"status": SubStatus.NOT_CONFIGURED, "reason": "git is not installed", "secrets": []}
    base = root if root.is_dir() else root.parent
    top = _repository_top(git, base)
    if top is None:
        return {"status": SubStatus.SKIPPED, "reason": "not a git repository", "secrets": []}
    inner = base.resolve().relative_to(top.resolve()).as_posix()
    prefix = "" if inner == "." else f"{inner}/"
    present = {(h.file, h.pattern, h.masked, h.length) for h in current}
    found: dict[tuple[str, str, str, int], dict[str, Any]] = {}
    try:
        with subprocess.Popen(_log_argv(git, base, since), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, errors="replace", env=_environment()) as proc:
            log = _Log(proc)
            for added in _parse(log.lines(), prefix):
                for hit, line in _hits(added, detectors):
                    if not hit.placeholder:
                        key = (hit.file, hit.pattern, hit.masked, hit.length)
                        found.setdefault(key, _entry(added, hit, line, key in present))["commits"] += 1
            if log.truncated:
                proc.kill()
            _, stderr = proc.communicate(timeout=TIMEOUT_S)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return {"status": SubStatus.INCONCLUSIVE, "reason": f"git log failed: {exc}"[:300], "secrets": []}
    if proc.returncode != 0 and not log.truncated:
        return {"status": SubStatus.INCONCLUSIVE, "reason": f"git log failed: {stderr.strip()}"[:300], "secrets": []}
    return {"status": SubStatus.OK, "since": since, "commits_scanned": log.commits,
            "truncated": log.truncated or log.commits >= MAX_COMMITS,
            "secrets": sorted(found.values(), key=lambda e: (e["file"], e["line"], e["pattern"]))}
