"""The compliance matrix claims only what a scan tested: finding / no findings (tested) / not tested /
manual / context, never PASS; binding Indonesian law first by hierarchy."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from scanner.cli import main
from scanner.judging.compliance import compliance_view
from scanner.judging.rules import RuleSet, load_rules
from scanner.model import Facts, ScanResult, Target, TargetKind
from scanner.running.scan import judged
from tests.support import hsts_rule, judged_http, nosniff_rule

WEB = Target(TargetKind.URL, "https://portal.example.go.id/")
PLAIN = Target(TargetKind.URL, "http://lama.example.go.id/")

HSTS_RULE = hsts_rule("PND-TEST-101", ["owasp-asvs-4.0.3:14.4.5", "bssn-4-2021:27(8)(a)"])
NOSNIFF_RULE = nosniff_rule("PND-TEST-102", ["owasp-asvs-4.0.3:14.4.4", "bssn-4-2021:27(8)(a)"])


def _scan(ruleset: RuleSet, *observations: tuple[Target, dict[str, Any]]) -> dict[str, Any]:
    result = judged_http(ruleset, *observations)
    return {row.article.ref: row for rows in compliance_view(result, ruleset).values() for row in rows}


@pytest.fixture
def pack(write_pack: Any) -> RuleSet:
    return load_rules(write_pack(HSTS_RULE, NOSNIFF_RULE))


def test_hsts_on_plain_http_is_not_tested(pack: RuleSet) -> None:
    rows = _scan(pack, (PLAIN, {"scheme": "http", "hsts": False, "nosniff": True}))
    assert rows["owasp-asvs-4.0.3:14.4.5"].status == "not_tested"
    assert rows["owasp-asvs-4.0.3:14.4.5"].tested == {}


def test_no_findings_names_the_targets_and_rules_that_tested(pack: RuleSet) -> None:
    rows = _scan(pack, (PLAIN, {"scheme": "http", "hsts": False, "nosniff": True}),
                 (WEB, {"scheme": "https", "hsts": True, "nosniff": True}))
    hsts = rows["owasp-asvs-4.0.3:14.4.5"]
    assert hsts.status == "no_findings"
    assert hsts.tested == {"PND-TEST-101": [WEB.id]}  # the plain-HTTP site did not test HSTS


def test_rule_without_applies_when_never_counts_as_tested(pack: RuleSet) -> None:
    rows = _scan(pack, (WEB, {"scheme": "https", "hsts": True, "nosniff": True}))
    assert rows["owasp-asvs-4.0.3:14.4.4"].status == "not_tested"  # PND-TEST-102 ran clean, applicability unknown
    # Shared article: one testing rule without applicable facts keeps it "not tested".
    assert rows["bssn-4-2021:27(8)(a)"].status == "not_tested"
    assert rows["bssn-4-2021:27(8)(a)"].untested_rules == ["PND-TEST-102"]


def test_finding_wins_and_evaluation_errors_do_not_test(pack: RuleSet) -> None:
    rows = _scan(pack, (WEB, {"scheme": "https", "hsts": False, "nosniff": True}))
    assert rows["owasp-asvs-4.0.3:14.4.5"].status == "finding"
    rows = _scan(pack, (WEB, {"scheme": "https", "nosniff": True}))  # no "hsts" key: the rule errors
    assert rows["owasp-asvs-4.0.3:14.4.5"].status == "not_tested"


def test_context_articles_and_order(pack: RuleSet) -> None:
    result = ScanResult("s1", "", "", "t", "r", [WEB], [])
    view = compliance_view(result, pack)
    assert list(view)[:4] == ["uu-pdp-2022", "pp-71-2019", "permenkominfo-20-2016", "bssn-4-2021"]
    assert set(list(view)[4:]) == {"gdpr", "iso-27001-2022", "nist-sp-800-52r2", "owasp-asvs-4.0.3"}
    status = {row.article.ref: row.status for rows in view.values() for row in rows}
    for ref in ("uu-pdp-2022:65", "uu-pdp-2022:67(2)", "uu-pdp-2022:58", "uu-pdp-2022:60(n)", "uu-pdp-2022:74",
                "uu-pdp-2022:1", "uu-pdp-2022:57"):
        assert status[ref] == "context", ref
    assert status["uu-pdp-2022:35"] == "manual"  # no rule of this pack tests it
    assert set(status.values()) <= {"finding", "no_findings", "not_tested", "manual", "context"}


@pytest.fixture(scope="module")
def plain_http_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`python -m http.server` on 127.0.0.1: plain HTTP, no login, no headers."""
    root = tmp_path_factory.mktemp("www")
    (root / "index.html").write_text("<html><body>Halo</body></html>")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(SimpleHTTPRequestHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_bare_http_server_claims_nothing_untested(plain_http_server: str, tmp_path: Path) -> None:
    """The issue's reproduction: before, HSTS, MFA-for-admin and UU PDP 35 showed PASS here."""
    out_json, out_html = tmp_path / "r.json", tmp_path / "r.html"
    run = CliRunner().invoke(main, ["scan", plain_http_server, "--no-store", "--json", str(out_json),
                                    "--html", str(out_html), "--lang", "en"])
    assert run.exit_code in (0, 1), run.stderr
    rows = {r["ref"]: r for rows in json.loads(out_json.read_text())["compliance"].values() for r in rows}
    for ref in ("owasp-asvs-4.0.3:14.4.5", "owasp-asvs-4.0.3:4.3.1", "uu-pdp-2022:35", "uu-pdp-2022:39(1)",
                "pp-71-2019:51(1)", "pp-71-2019:51(3)", "bssn-4-2021:27(8)(b)"):
        assert rows[ref]["status"] in ("not_tested", "manual", "finding"), (ref, rows[ref]["status"])
    for ref, row in rows.items():
        if row["status"] == "no_findings":
            assert row["rules"] and set(row["tested"]) == set(row["rules"]), ref
            assert all(targets == [plain_http_server] for targets in row["tested"].values()), ref
    html = out_html.read_text()
    assert "PASS" not in html and "LULUS" not in html
    assert "NO FINDINGS (TESTED)" in html
    # The printed matrix lists tested articles only; --full-matrix adds every article as an appendix.
    assert 'id="full-matrix"' not in html and "--full-matrix" in html
    full = tmp_path / "full.html"
    again = CliRunner().invoke(main, ["report", str(out_json), "--html", str(full), "--full-matrix", "--lang", "en"])
    assert again.exit_code == 0, again.stderr
    appendix = full.read_text()[full.read_text().index('id="full-matrix"'):]
    assert "Criminal" in appendix or "criminal" in appendix.lower()  # context articles are in the appendix
    assert '<td><span class="st st-context">' in appendix and '<td><span class="st st-manual">' in appendix
    printed = html[html.index('id="compliance"'):html.index('id="metadata"')]
    assert '<td><span class="st st-manual">' not in printed and '<td><span class="st st-context">' not in printed
    assert '<td><span class="st st-no_findings">' in printed


def test_a_result_judged_before_applicability_was_recorded(pack: RuleSet) -> None:
    """The compliance view reads where the judge recorded each rule applied; an older result
    (no record) is given it once, from its facts, before rendering (scanner.running.scan.with_applicability)."""
    from dataclasses import replace

    from scanner.running.scan import with_applicability

    facts = [Facts("http", WEB.id, {"scheme": "https", "hsts": True, "nosniff": True})]
    judged_now = judged(ScanResult("s1", "", "", "t", "r", [WEB], facts), pack)
    assert judged_now.applicable == {"PND-TEST-101": [WEB.id]}
    older = replace(judged_now, applicable=None)
    row = "owasp-asvs-4.0.3:14.4.5"
    statuses = {r.article.ref: r.status for rows in compliance_view(older, pack).values() for r in rows}
    assert statuses[row] == "not_tested"  # nothing recorded, nothing claimed
    refilled = {r.article.ref: r.status for rows in compliance_view(with_applicability(older, pack), pack).values()
                for r in rows}
    assert refilled[row] == "no_findings"
