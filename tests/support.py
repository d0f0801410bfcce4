"""Shared by the tests: a tiny catalogue, a valid rule, and a hang detector."""

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

CATALOGUE = """\
id: test-law
short: Test Law
title: {id: "Undang-undang uji", en: "Test law"}
source_url: https://example.invalid/law
articles:
  - id: "1"
    title: {id: "Pasal satu", en: "Article one"}
    text: {id: "Data harus dilindungi.", en: "Data must be protected."}
    verified: true
  - id: "2(1)"
    title: {id: "Pasal dua", en: "Article two"}
    text: {id: "Akses harus dibatasi.", en: "Access must be restricted."}
    verified: false
"""

RULE = """\
id: PND-TEST-001
probe: tls
severity: high
title: {id: "Protokol usang diterima", en: "Obsolete protocol accepted"}
description: {id: "Protokol lama dapat disadap.", en: "Old protocols can be intercepted."}
when: facts.protocols.filter(p, p.accepted && p.name in ["SSLv3", "TLSv1.0"])
item_key: item.name
message: {id: "Protokol {{ item.name }} diterima", en: "Protocol {{ item.name }} is accepted"}
remediation:
  id: ["Matikan protokol lama."]
  en: ["Disable the old protocol."]
references: ["test-law:1"]
"""


@contextmanager
def hang_detector(seconds: float) -> Iterator[None]:
    """Raise TimeoutError if the block runs longer than ``seconds`` (matching in ``re`` checks signals)."""
    def expire(*_: Any) -> None:
        raise TimeoutError(f"still running after {seconds} s: not linear")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
