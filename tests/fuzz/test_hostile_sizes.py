"""Every matcher a target's bytes meet stays linear on hostile-size input (issue 24).

Each case feeds one matcher a few hundred kilobytes built by repeating a short "pump" that made
an earlier version backtrack or rescan (``eyJ`` for the JWT finder, ``1 `` for the digit-group
joiner of ``scrub``, ``<a `` for the HTML reader, ...). The bound is a hang detector, not a speed
goal: the quadratic and cubic versions took minutes to hours on these inputs, the linear ones
well under a second.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from scanner.net.redact import loggable_url
from scanner.pii.detectors import find_personal_data
from scanner.pii.masking import scrub_text
from scanner.probes.auth.client import Reply
from scanner.probes.auth.harvest import carriers_in
from scanner.probes.auth.neighbours import returned_ids
from scanner.probes.auth.openapi import operations
from scanner.probes.auth.references import from_robots, from_script
from scanner.probes.auth.tokens import MAX_TOKENS_PER_TEXT, find_tokens
from scanner.probes.code.bandit_scan import _secret_length
from scanner.probes.http.cookies import parse_set_cookie
from scanner.probes.http.disclosure import debug_signatures, version_disclosure
from scanner.probes.http.exposures import load
from scanner.probes.http.headers import observe_headers
from scanner.probes.http.html import hiding_reason, parse
from scanner.probes.http.judol import keywords_in, lexicon
from scanner.probes.http.text import normalised
from scanner.probes.http.versions import banner_versions, generator_versions, header_versions
from scanner.probes.sqlfile.analyze import analyze_sql
from scanner.report.reasons import localised_reason
from scanner.urlsecrets import redact
from tests.support import hang_detector

BOUND_S = 30  # per case, on a loaded 2-core machine; the linear matchers need well under 1 s
SIZE = 100_000  # characters per hostile input

PUMPS = ["eyJ", "1 ", "1", "a.", "a@", "08", "1.", "0 8", "+62 ", "%41", "&#1", " [at] ", "\\u0041", "'", "${",
         "<a ", "<style>", "<title>", ".a{", "slot", "a-1", "x:1;", "1_", "1\u200e", "\u0661 ", "://a:"]


def _exposure_regexes() -> dict[str, Callable[[str], Any]]:
    found: dict[str, Callable[[str], Any]] = {}
    for template in load("exposures").get("templates", []):
        for matcher in template.get("matchers", []):
            for number, regex in enumerate(matcher.get("regex", [])):
                found[f"exposure {template.get('id')} regex {number}"] = re.compile(regex).search
    return found


def _openapi(path: str) -> Any:
    return operations({"openapi": "3.0.0", "paths": {path: {"get": {}}}}, "", fill_missing=True)


MATCHERS: dict[str, Callable[[str], Any]] = {
    "JWT finder": find_tokens,
    "scrub": scrub_text,
    "personal-data detectors": find_personal_data,
    "judol keywords": keywords_in,
    **{f"judol host pattern {p.pattern}": p.search for p in lexicon().hosts},
    **_exposure_regexes(),
    "HTML reader": parse,
    "CSS hiding": hiding_reason,
    "page text": normalised,
    "debug signatures": debug_signatures,
    "Server/X-Powered-By versions": lambda s: header_versions({"server": s, "x-powered-by": s}),
    "banner versions": lambda s: banner_versions(s, "header", "server"),
    "meta generator": generator_versions,
    "version disclosure": lambda s: version_disclosure({"server": s, "x-powered-by": s}, None),
    "security headers": lambda s: observe_headers({n: s for n in ("content-security-policy", "cache-control",
                                                   "strict-transport-security", "referrer-policy")}),
    "Set-Cookie": lambda s: parse_set_cookie(s, "https"),
    "script references": from_script,
    "robots references": from_robots,
    "OpenAPI path parameters": _openapi,
    "token carriers": lambda s: carriers_in(Reply("http://h/", 200, {"location": s}, s, {"c": s})),
    "returned identifiers": lambda s: returned_ids(s, {}),
    "log URL": lambda s: loggable_url("http://h/" + s),
    "password redaction": redact,
    "reason localisation": lambda s: localised_reason(s, "id"),
    "bandit message": lambda s: _secret_length("B105", s),
    "SQL column types": lambda s: analyze_sql(f"CREATE TABLE t (c INT{s});", "dump.sql"),
}


@pytest.mark.parametrize("pump", PUMPS)
@pytest.mark.parametrize("name", sorted(MATCHERS))
def test_matcher_is_linear_on_hostile_input(name: str, pump: str) -> None:
    text = pump * (SIZE // len(pump)) + "\x00!"  # a failing end makes a backtracking matcher retry from each start
    with hang_detector(BOUND_S):
        MATCHERS[name](text)


def test_one_text_yields_a_bounded_number_of_tokens() -> None:
    token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.{}"
    text = " ".join(token.format(i) for i in range(10 * MAX_TOKENS_PER_TEXT))
    assert len(find_tokens(text)) == MAX_TOKENS_PER_TEXT
    assert find_tokens(f"Bearer {token.format('sig')};") == [token.format("sig")]
