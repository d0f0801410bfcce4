"""The http probe's request savings lose no finding, and connections are reused.

``tests/data/http-fixture-findings.json`` holds the findings (rule id, item key) that the probe
raised on the fixture sites before its requests were cut (issue 16, goal 7); every later version
must raise exactly those. The sites are the session-cached scans of the other http tests. A change
meant to alter findings (a new rule or template) re-records the file with
``python -m tests.probes.http.record_findings``.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from fixtures.realweb import httpd, php, python_apps
from fixtures.web import VARIANTS, start_site
from scanner.model import Finding, Target, TargetKind
from scanner.probes.http.fetch import Fetcher
from scanner.probes.http.probe import HttpProbe
from tests.probes.http.conftest import fast_context

EXPECTED_FILE = Path(__file__).parents[2] / "data" / "http-fixture-findings.json"
EXPECTED = json.loads(EXPECTED_FILE.read_text())

# name -> (start, target options), the same names and options as test_real_software
REAL: dict[str, tuple[Any, dict[str, Any] | None]] = {
    "django-debug": (partial(python_apps.start_django, debug=True), {"pages": ["/broken/"]}),
    "flask-debug": (partial(python_apps.start_flask, debug=True), None),
    "fastapi-docs": (partial(python_apps.start_fastapi, docs=True), None),
    "php-weak": (partial(php.start_php, hardened=False), None),
    "apache-weak": (partial(httpd.start_apache, hardened=False), None),
    "nginx-weak": (partial(httpd.start_nginx, hardened=False), None),
}
_PORT = re.compile(r"127\.0\.0\.1:\d+")


def identities(findings: list[Finding]) -> list[list[str]]:
    """What identifies a finding on a site whose port changes from run to run."""
    return sorted([f.rule_id, _PORT.sub("127.0.0.1:PORT", f.item_key)] for f in findings)


@pytest.mark.parametrize("variant", VARIANTS)
def test_portal_findings_are_the_recorded_ones(variant: str, scan_variant: Any) -> None:
    assert identities(scan_variant(variant, True).findings) == EXPECTED[f"portal-{variant}"]


@pytest.mark.parametrize("name", sorted(REAL))
def test_real_software_findings_are_the_recorded_ones(name: str, scan_real: Any) -> None:
    start, options = REAL[name]
    assert identities(scan_real(name, start, options).findings) == EXPECTED[name]


def test_no_request_is_sent_twice_in_one_probe_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """The clean portal's plain-HTTP twin redirects to the main page, which was fetched first."""
    sent: list[tuple[str, str, tuple[tuple[str, str], ...]]] = []
    original = Fetcher._send

    def counting(self: Fetcher, method: str, url: str, headers: dict[str, str], verify: bool | str) -> Any:
        sent.append((method, url, tuple(sorted(headers.items()))))
        return original(self, method, url, headers, verify)

    monkeypatch.setattr(Fetcher, "_send", counting)
    portal = start_site("clean", https=True)
    try:
        facts = HttpProbe().run(Target(TargetKind.URL, portal.base_url, options=portal.target_options),
                                fast_context())
    finally:
        portal.stop()
    assert facts["requests"] == len(sent) > 60
    assert [s for s, n in Counter(sent).items() if n > 1] == []
    twin = facts["https_redirect"]
    assert twin["final_url"] == facts["final_url"] and twin["final_is_https"], twin
    assert [hop["url"] for hop in twin["chain"]] == [twin["http_url"], facts["final_url"]]


def test_a_redirect_is_never_reused_as_a_final_page_but_a_final_page_is() -> None:
    portal = start_site("clean", https=True)
    assert portal.http_url
    fetcher = Fetcher(fast_context(), verify=False)
    try:
        hop = fetcher.get(portal.http_url + "berita", follow=False)
        followed = fetcher.get(portal.http_url + "berita")
        again = fetcher.get(portal.base_url + "berita")
    finally:
        portal.stop()
    assert hop.status == 301 and followed.status == again.status == 200
    assert fetcher.requests_made == 3  # the 301 twice (once not followed), the page once
    assert [h.status for h in followed.chain] == [301, 200] and [h.status for h in again.chain] == [200]
    assert again.body == followed.body and again.url == portal.base_url + "berita"
