"""A small gitignore-style matcher, used for ``.pindaiignore`` and ``.gitignore`` files.

Supported: comments (``#``), blank lines, negation (``!``), directory-only patterns
(trailing ``/``), anchored patterns (a ``/`` at the start or in the middle), ``*``, ``?``,
``[...]`` and ``**``. Later patterns win, as in git. Paths are POSIX, relative to the
directory that holds the ignore file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class _Pattern:
    regex: re.Pattern[str]
    negate: bool
    dir_only: bool


def _translate(glob: str) -> str:
    """Regex for one gitignore glob (without ``!`` or the trailing ``/``)."""
    anchored = "/" in glob.rstrip("/")
    glob = glob.lstrip("/")
    out: list[str] = []
    i = 0
    while i < len(glob):
        ch = glob[i]
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if glob.startswith("/**", i) and i + 3 == len(glob):
            out.append("/.*")
            i += 3
            continue
        if glob.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if ch == "*":
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif ch == "[":
            end = glob.find("]", i + 1)
            if end == -1:
                out.append(re.escape(ch))
            else:
                body = glob[i + 1 : end].replace("\\", "\\\\")
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                i = end
        else:
            out.append(re.escape(ch))
        i += 1
    prefix = "" if anchored else "(?:.*/)?"
    # a pattern matching a directory also matches everything below it
    return f"^{prefix}{''.join(out)}(?:/.*)?$"


@dataclass
class IgnoreRules:
    """Patterns from one ignore file; ``base`` is its directory relative to the scan root."""

    base: str = ""
    patterns: list[_Pattern] = field(default_factory=list)

    @classmethod
    def parse(cls, text: str, base: str = "") -> IgnoreRules:
        rules = cls(base=base.strip("/"))
        for raw in text.splitlines():
            line = raw.rstrip()
            if not line or line.startswith("#"):
                continue
            negate = line.startswith("!")
            if negate:
                line = line[1:]
            if line.startswith("\\"):
                line = line[1:]
            dir_only = line.endswith("/")
            glob = line.rstrip("/")
            if not glob:
                continue
            rules.patterns.append(_Pattern(re.compile(_translate(glob)), negate, dir_only))
        return rules

    def match(self, path: str, is_dir: bool = False) -> bool | None:
        """True (ignored), False (re-included by ``!``) or None (no pattern applies)."""
        if self.base:
            if not path.startswith(self.base + "/"):
                return None
            path = path[len(self.base) + 1 :]
        verdict: bool | None = None
        for pattern in self.patterns:
            if not pattern.regex.match(path):
                continue
            if pattern.dir_only and not is_dir and not _below_dir(pattern.regex, path):
                continue
            verdict = not pattern.negate
        return verdict


def _below_dir(regex: re.Pattern[str], path: str) -> bool:
    """For ``dir/`` patterns on a file: true when one of the file's parent directories matches."""
    parts = path.split("/")
    return any(regex.match("/".join(parts[:n])) for n in range(1, len(parts)))


def ignored(rules: list[IgnoreRules], path: str, is_dir: bool = False) -> bool:
    """Whether ``path`` is ignored by any of ``rules`` (deeper files are applied last)."""
    verdict = False
    for rule in rules:
        result = rule.match(path, is_dir)
        if result is not None:
            verdict = result
    return verdict
