"""Gitignore matching for ``.pindaiignore`` and ``.gitignore`` files, with ``pathspec``.

pathspec implements git's wildmatch rules (negation, directory-only and anchored patterns,
``*``, ``?``, ``[...]``, ``**``; later patterns win). It matches through its RE2 backend
(google-re2), which runs in linear time: no pattern a hostile tree ships can make matching
backtrack. A line that is not a valid pattern (``[z-a]``, a lone ``\\``) is skipped and its
number kept in ``bad_lines``; the other lines still apply. Paths are POSIX, relative to the
directory that holds the ignore file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pathspec import GitIgnoreSpec
from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern

_BACKEND = "re2"  # linear-time matching; pathspec's "simple" backend would use Python's backtracking re


@dataclass
class IgnoreRules:
    """Patterns from one ignore file; ``base`` is its directory relative to the scan root."""

    base: str = ""
    spec: GitIgnoreSpec = field(default_factory=lambda: GitIgnoreSpec.from_lines([], backend=_BACKEND))
    bad_lines: list[int] = field(default_factory=list)  # 1-based numbers of lines skipped as invalid

    @classmethod
    def parse(cls, text: str, base: str = "") -> IgnoreRules:
        lines: list[str] = []
        bad: list[int] = []
        for number, line in enumerate(text.splitlines(), 1):
            try:
                GitIgnoreSpecPattern(line)
            except (ValueError, re.error):  # GitIgnorePatternError is a ValueError
                bad.append(number)
                continue
            lines.append(line)
        return cls(base.strip("/"), GitIgnoreSpec.from_lines(lines, backend=_BACKEND), bad)

    def match(self, path: str, is_dir: bool = False) -> bool | None:
        """True (ignored), False (re-included by ``!``) or None (no pattern applies)."""
        if self.base:
            if not path.startswith(self.base + "/"):
                return None
            path = path[len(self.base) + 1 :]
        return self.spec.check_file(path + "/" if is_dir else path).include


def ignored(rules: list[IgnoreRules], path: str, is_dir: bool = False) -> bool:
    """Whether ``path`` is ignored by any of ``rules`` (deeper files are applied last)."""
    verdict = False
    for rule in rules:
        result = rule.match(path, is_dir)
        if result is not None:
            verdict = result
    return verdict
