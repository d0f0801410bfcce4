"""Integrity values printed in reports: the result's SHA-256 and the report's own SHA-256.

A report carries ``pindai-result-sha256:<hex>`` (the result it was rendered from, see
``scanner.audit.result_digest``) and ``pindai-report-sha256:<hex>``, the SHA-256 of the report text
with that value replaced by 64 zeros. ``pindai verify`` recomputes both: a changed byte in the
result or in the report is detected.
"""

from __future__ import annotations

import hashlib
import re

RESULT_MARK = "pindai-result-sha256:"
REPORT_MARK = "pindai-report-sha256:"
UNSEALED = "0" * 64
_RESULT = re.compile(re.escape(RESULT_MARK) + r"([0-9a-f]{64})")
_REPORT = re.compile(re.escape(REPORT_MARK) + r"([0-9a-f]{64})")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def sealed(text: str) -> str:
    """``text`` with its report digest filled in (unchanged when it has no unsealed mark)."""
    mark = REPORT_MARK + UNSEALED
    if text.count(mark) != 1:
        return text
    return text.replace(mark, REPORT_MARK + _digest(text))


def result_digest_in(text: str) -> str | None:
    found = _RESULT.search(text)
    return found.group(1) if found else None


def report_intact(text: str) -> bool | None:
    """True when the report's own digest matches its text, False when not, None when it has none."""
    found = _REPORT.findall(text)
    if len(found) != 1 or found[0] == UNSEALED:
        return None
    return _digest(text.replace(REPORT_MARK + found[0], REPORT_MARK + UNSEALED)) == found[0]
