"""URLs as they may appear in logs: no query, no tokens, personal values masked."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from scanner.pii.masking import scrub_text

# A token starts where a run of base64url characters starts: each run is tried once, so matching
# stays linear on hostile text such as "eyJeyJeyJ..." (without the look-behind every "eyJ" inside
# the run would start a scan to its end: quadratic).
JWT_PATTERN = re.compile(r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*")


def loggable_url(url: str) -> str:
    """The URL without its query, with JWTs and personal values masked (for ``-vv`` logs)."""
    parts = urlsplit(url)
    return JWT_PATTERN.sub("<jwt>", scrub_text(f"{parts.scheme}://{parts.netloc}{parts.path}"[:300]))
