"""``CodeProbe``: observe a source directory (bandit, secrets, configuration, SQL files).

Facts are documented in docs/facts/code.md. No secret value ever enters the facts: only
pattern ids, kinds, file and line, variable names, masked values and lengths.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

from scanner.model import Target, TargetKind
from scanner.pii import scrub
from scanner.probes.base import ProbeContext, ProbeInconclusive, SubStatus, record_limit, subcheck
from scanner.probes.code import SPEC
from scanner.probes.code.bandit_scan import run_bandit
from scanner.probes.code.datafiles import analyze_data_files
from scanner.probes.code.dependencies import dependency_facts
from scanner.probes.code.history import MAX_COMMITS, scan_history
from scanner.probes.code.options import CodeOptions
from scanner.probes.code.patterns import Detectors, load_detectors
from scanner.probes.code.sast import run_sast
from scanner.probes.code.secrets import SecretHit, Setting, scan_file
from scanner.probes.code.sql import analyze_sql_files
from scanner.probes.code.walk import Inventory, SourceFile, vcs_ignored, walk, walk_file

MAX_LISTED_SKIPS = 50
SCAN_FAILED = "scan_failed"  # inventory.skipped reason: the file was read, but scanning it for secrets failed


def _unique_keys(items: Sequence[SecretHit | Setting], base: list[str]) -> None:
    """Set each item's ``key`` (the rules' item key), suffixing ``#n`` on repeats."""
    seen: dict[str, int] = {}
    for item, key in zip(items, base, strict=True):
        seen[key] = seen.get(key, 0) + 1
        item.key = key if seen[key] == 1 else f"{key}#{seen[key]}"


def _inventory_facts(inventory: Inventory) -> dict[str, Any]:
    rels = [f.rel for f in inventory.files]
    return {
        "files": len(rels),
        "python_files": sum(1 for r in rels if r.endswith(".py")),
        "sql_files": sum(1 for r in rels if r.lower().endswith(".sql")),
        "ignore_file": inventory.ignore_file,
        "gitignore_files": len(inventory.gitignore),
        "truncated": inventory.truncated,
        "skipped": {
            reason: {"count": len(paths), "paths": paths[:MAX_LISTED_SKIPS]}
            for reason, paths in sorted(inventory.skipped.items())
        },
    }


def _env_files(inventory: Inventory, detectors: Detectors) -> list[dict[str, Any]]:
    return [
        {"file": f.rel, "template": detectors.is_template(f.rel), "vcs_ignored": vcs_ignored(inventory, f.rel)}
        for f in inventory.files
        if detectors.config_syntax(f.rel) == "dotenv"
    ]


def _scanned(source: SourceFile, detectors: Detectors) -> dict[str, Any]:
    hits, found = scan_file(source, detectors)
    return {"status": SubStatus.OK, "secrets": hits, "settings": found}


def _scan_files(inventory: Inventory, detectors: Detectors) -> tuple[list[SecretHit], list[Setting]]:
    """Secrets and settings of every file; a file whose scan fails is listed under ``inventory.skipped``
    (``scan_failed``) and the others are scanned."""
    secrets: list[SecretHit] = []
    settings: list[Setting] = []
    for source in inventory.files:
        scanned = subcheck(f"secrets in {source.rel}", partial(_scanned, source, detectors))
        if scanned["status"] != SubStatus.OK:  # the reason goes to the log only
            inventory.skip(SCAN_FAILED, source.rel)
            continue
        secrets.extend(scanned["secrets"])
        settings.extend(scanned["settings"])
    return secrets, settings


def observe_tree(root: Path, detectors: Detectors | None = None, git_history: bool | str = False) -> dict[str, Any]:
    """All code-probe facts for the directory ``root`` (or the single source file ``root``).

    ``git_history``: also read the added lines of the commits reachable from HEAD (a string: only
    those since that commit).
    """
    detectors = detectors or load_detectors()
    root = root.resolve()
    inventory = walk_file(root, detectors) if root.is_file() else walk(root, detectors)
    secrets, settings = _scan_files(inventory, detectors)
    for hit in secrets:
        hit.vcs_ignored = vcs_ignored(inventory, hit.file)
    secrets.sort(key=lambda h: (h.file, h.line, h.pattern))
    settings.sort(key=lambda s: (s.file, s.line, s.name))
    _unique_keys(secrets, [f"{h.file}:{h.pattern}:{h.variable or h.masked}" for h in secrets])
    _unique_keys(settings, [f"{s.file}:{s.name}" for s in settings])
    # independent sub-checks: one failing is an inconclusive record in its own place (sql and data
    # files: per file), never the loss of the others
    facts: dict[str, Any] = {
        "root": root.name,
        "inventory": _inventory_facts(inventory),
        "bandit": subcheck("bandit", lambda: run_bandit(inventory.files, detectors)),
        "secrets": [h.to_dict() for h in secrets],
        "settings": [s.to_dict() for s in settings],
        "env_files": _env_files(inventory, detectors),
        "sql": analyze_sql_files(inventory.files),
        "dependencies": subcheck("dependencies", lambda: dependency_facts(
            inventory, root if root.is_dir() else root.parent)),
        "sast": subcheck("sast", lambda: run_sast(root, inventory.files, detectors)),
        "data_files": subcheck("data_files", lambda: analyze_data_files(inventory.files)),
    }
    if git_history:
        since = git_history if isinstance(git_history, str) else None
        facts["history"] = subcheck("history", lambda: scan_history(root, detectors, since, secrets))
        if facts["history"].get("truncated"):
            record_limit(facts, "git_history", MAX_COMMITS, facts["history"]["commits_scanned"])
    if inventory.truncated:
        record_limit(facts, "code_files", detectors.max_files,
                     detectors.max_files + len(inventory.skipped.get("file_limit", [])))
    if inventory.skipped.get("ignore_pattern"):  # the rest of each file applied; which files it meant is unknown
        record_limit(facts, "code_ignore_lines", 0, len(inventory.skipped["ignore_pattern"]))
    if inventory.skipped.get("too_large"):
        record_limit(facts, "code_file_bytes", detectors.max_file_bytes, len(inventory.skipped["too_large"]))
    if inventory.skipped.get(SCAN_FAILED):
        record_limit(facts, "code_files_unscanned", len(inventory.skipped[SCAN_FAILED]), len(inventory.files))
    return dict(scrub(facts))


class CodeProbe:
    """Observes a source directory; rules/code.yaml judges."""

    name = SPEC.name

    def applies_to(self, target: Target) -> bool:
        return target.kind is TargetKind.SOURCE

    def run(self, target: Target, ctx: ProbeContext) -> dict[str, Any]:
        root = Path(target.location)
        if not (root.is_dir() or root.is_file()):
            raise ProbeInconclusive(f"{target.location} is not a readable directory or file")
        try:
            return observe_tree(root, git_history=CodeOptions.of(target).git_history)
        except PermissionError as exc:
            raise ProbeInconclusive(f"permission denied: {exc.filename}") from exc
