"""Re-record tests/data/http-fixture-findings.json after a deliberate change of http findings.

    .venv/bin/python -m tests.probes.http.record_findings

Scans the same fixture sites with the same options as test_request_cost and writes their finding
identities. Only for a change that is meant to alter findings (a new rule or template); a change
that should only save requests must pass test_request_cost against the recorded file unchanged.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fixtures.web import VARIANTS, start_site
from scanner.judging.engine import judge
from scanner.judging.rules import RuleSet, load_rules
from scanner.model import Target, TargetKind
from scanner.probes.http.probe import HttpProbe
from scanner.running.runner import observe
from tests.probes.http.conftest import fast_context
from tests.probes.http.test_request_cost import EXPECTED_FILE, REAL, identities


def _scan(rules: RuleSet, url: str, options: dict[str, Any] | None, stop: Callable[[], None]) -> list[list[str]]:
    try:
        target = Target(TargetKind.URL, url, options=options or {})
        judgement = judge([observe(HttpProbe(), target, fast_context())], [target], rules)
    finally:
        stop()
    assert not judgement.errors, judgement.errors
    return identities(judgement.findings)


def main() -> None:
    rules = load_rules()
    recorded: dict[str, list[list[str]]] = {}
    for variant in VARIANTS:
        portal = start_site(variant, https=True)
        recorded[f"portal-{variant}"] = _scan(rules, portal.base_url, portal.target_options, portal.stop)
    workdir = Path(tempfile.mkdtemp(prefix="pindai-record-"))
    try:
        for name, (start, options) in REAL.items():
            server = start(workdir)
            recorded[name] = _scan(rules, server.base_url, options, server.stop)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    EXPECTED_FILE.write_text(json.dumps(recorded, indent=1, sort_keys=True) + "\n")
    print({name: len(found) for name, found in recorded.items()})


if __name__ == "__main__":
    main()
