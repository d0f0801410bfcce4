"""Shared by the tests: a tiny catalogue, a valid rule, two HTTP header rules, a hang detector, and a
broken-pack check."""

import json
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scanner.judging.rules import RuleSet
    from scanner.model import ScanResult, Target

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


def header_rule(rule_id: str, header: str, severity: str, when: str, references: list[str],
                applies_when: str | None = None, extra: str = "") -> str:
    """A rule body for the http probe: ``header`` (HSTS, nosniff) missing (``extra``: more YAML lines)."""
    applies = "" if applies_when is None else f"applies_when: {json.dumps(applies_when)}\n"
    return f"""\
id: {rule_id}
probe: http
severity: {severity}
title: {{id: "{header} tidak ada", en: "{header} missing"}}
description: {{id: "Tanpa {header}.", en: "Without {header}."}}
{applies}when: {json.dumps(when)}
message: {{id: "{header} tidak ada", en: "{header} missing"}}
remediation: {{id: ["Pasang {header}."], en: ["Send {header}."]}}
references: {json.dumps(references)}
{extra}"""


def hsts_rule(rule_id: str, references: list[str], extra: str = "") -> str:
    """An HTTPS site without HSTS; the rule applies to HTTPS sites only."""
    return header_rule(rule_id, "HSTS", "medium", 'facts.scheme == "https" && !facts.hsts', references,
                       applies_when='facts.scheme == "https"', extra=extra)


def nosniff_rule(rule_id: str, references: list[str], applies_when: str | None = None, extra: str = "") -> str:
    """A site without ``X-Content-Type-Options: nosniff``."""
    return header_rule(rule_id, "nosniff", "low", "!facts.nosniff", references, applies_when, extra)


def judged_http(ruleset: "RuleSet", *observations: "tuple[Target, dict[str, Any] | None]") -> "ScanResult":
    """One scan of http-probe facts per target (None: the target could not be observed), judged."""
    from scanner.model import Facts, ScanResult
    from scanner.running.scan import judged

    targets = [t for t, _ in observations]
    facts = [Facts("http", t.id, data) if data is not None else
             Facts("http", t.id, {}, status="inconclusive", reason="connection refused") for t, data in observations]
    return judged(ScanResult("s1", "2026-12-01T00:00:00+00:00", "", "t", "r", targets, facts), ruleset)


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


def assert_pack_refused(path: Path, pack: str, line: int, rule_id: str, field: str, message: str) -> None:
    """``pindai rules validate`` refuses the pack ``pack`` written to ``path`` (exit 2), naming file, line,
    rule, field and ``message``."""
    from click.testing import CliRunner

    from scanner.cli import main

    path.write_text(pack)
    result = CliRunner().invoke(main, ["rules", "validate", str(path)])
    assert result.exit_code == 2
    assert f"{path}:{line}: {rule_id}: {field}: " in result.output and message in result.output
