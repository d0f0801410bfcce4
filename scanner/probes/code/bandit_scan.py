"""Run bandit (through its Python API) on a tree's Python files; issues become plain facts."""

from __future__ import annotations

import logging
import os
import re
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from scanner.probes.base import SubStatus
from scanner.probes.code.facts import BanditIssue
from scanner.probes.code.patterns import Detectors
from scanner.probes.code.redact import redact_line
from scanner.probes.code.snippet import line_key, number_repeats, snippet
from scanner.probes.code.walk import SourceFile

# Tests whose flagged line holds a credential: every string literal on it is masked.
SECRET_TESTS = frozenset({"B105", "B106", "B107"})
_LOCK = threading.Lock()  # bandit keeps module-level state; run one scan at a time
# bandit's inline suppression comment; bandit runs with ignore_nosec and each issue records the marker, so
# that suppressed findings are counted and listed instead of vanishing (scanner.judging.suppressions.apply_inline)
_NOSEC = re.compile(r"#\s*(nosec\b(?:[:\s]+[A-Z]\d{3}(?:[\s,]+[A-Z]\d{3})*)?)", re.I)


@contextmanager
def _quiet(logger_name: str) -> Iterator[None]:
    """Silence a library logger for the duration of the block."""
    logger = logging.getLogger(logger_name)
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def _secret_length(test_id: str, text: str) -> int | None:
    if test_id not in SECRET_TESTS:
        return None
    # "Possible hardcoded password: '<value>'": from the first quote to the last (string operations,
    # linear in the text; a regex "'(.*)'\s*$" rescans the rest of the text from every quote)
    quoted = text.rstrip()
    first = quoted.find("'")
    return len(quoted) - first - 2 if quoted.endswith("'") and 0 <= first < len(quoted) - 1 else None


def _issue(result: Any, source: SourceFile, detectors: Detectors) -> BanditIssue:
    lines = source.text.splitlines()
    line = int(result.lineno or 0)
    last = max([line, *(result.linerange or [])])
    secret = result.test_id in SECRET_TESTS
    flagged = redact_line(lines[line - 1], detectors, force=secret) if 0 < line <= len(lines) else ""
    return BanditIssue(
        test_id=result.test_id,
        test_name=result.test,
        file=source.rel,
        line=line,
        severity=str(result.severity).lower(),
        confidence=str(result.confidence).lower(),
        cwe=int(getattr(result.cwe, "id", 0) or 0),
        text=redact_line(result.text, detectors, force=secret),
        code=snippet(lines, line, last, detectors, secret),
        secret_length=_secret_length(result.test_id, result.text),
        key=line_key(source.rel, result.test_id, flagged),
        inline_suppression=_marker(lines, line, last),
    )


def _marker(lines: list[str], first: int, last: int) -> str:
    """The ``# nosec`` marker on the flagged lines (its rule ids only, never the rest of the comment)."""
    for number in range(max(1, first), min(len(lines), last) + 1):
        found = _NOSEC.search(lines[number - 1])
        if found:
            return "# " + " ".join(found.group(1).replace(":", " ").replace(",", " ").split())
    return ""


def run_bandit(files: list[SourceFile], detectors: Detectors) -> dict[str, Any]:
    """Bandit facts for the Python files among ``files`` (absolute paths)."""
    try:
        with warnings.catch_warnings(), _quiet("stevedore"):  # plugin loading: deprecations, optional formatters
            warnings.simplefilter("ignore", DeprecationWarning)
            import bandit
            from bandit.core import config as b_config
            from bandit.core import manager as b_manager
    except ImportError:
        return {"status": SubStatus.INCONCLUSIVE, "reason": "bandit is not installed (pip install bandit)"}
    python = {os.path.normpath(str(f.path)): f for f in files if f.rel.endswith(".py")}
    with _LOCK:
        logging.getLogger("bandit").setLevel(logging.ERROR)  # no progress bar or nosec chatter
        manager = b_manager.BanditManager(b_config.BanditConfig(), "file", quiet=True, ignore_nosec=True)
        manager.discover_files(sorted(python), recursive=False)
        manager.run_tests()
        results = manager.get_issue_list()
        skipped = manager.get_skipped()
    issues = [_issue(r, python[os.path.normpath(r.fname)], detectors) for r in results
              if os.path.normpath(r.fname) in python]
    issues.sort(key=lambda i: (i.file, i.line, i.test_id))
    number_repeats(issues)
    errors = [
        {"file": python[os.path.normpath(name)].rel if os.path.normpath(name) in python else os.path.basename(name),
         "reason": reason}
        for name, reason in skipped
    ]
    return {
        "status": SubStatus.OK,
        "version": getattr(bandit, "__version__", "unknown"),
        "files": len(python) - len(errors),
        "issues": [i.model_dump() for i in issues],
        "errors": errors,
    }
