"""Property-based fuzzing of the HTTP probe's pure parsing helpers (scanner/probes/http/*).

Headers, Set-Cookie values, HTML and bodies all come from the peer. Whatever they contain,
the helpers return data and never raise; the personal-data observer never returns a raw
identifier it was shown.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fixtures.synthetic import make_faker
from scanner.net.html import hiding_reason, parse
from scanner.probes.http import observatory
from scanner.probes.http.cookies import observe_cookies, parse_set_cookie
from scanner.probes.http.disclosure import debug_signatures, version_disclosure
from scanner.probes.http.exposures import shape
from scanner.probes.http.fetch import Page
from scanner.probes.http.headers import observe_headers, parse_csp, parse_hsts
from scanner.probes.http.judol import keywords_in
from scanner.probes.http.pii import observe_personal_data, page_text

FUZZ = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HEADER_NAMES = [
    "strict-transport-security", "content-security-policy", "content-security-policy-report-only",
    "x-frame-options", "x-content-type-options", "referrer-policy", "permissions-policy", "cache-control",
    "pragma", "expires", "server", "x-powered-by", "x-aspnet-version", "content-type", "set-cookie",
    "cross-origin-resource-policy", "cross-origin-opener-policy", "access-control-allow-origin",
]
_TOKENS = st.sampled_from([
    "max-age=", "max-age=-1", "max-age=99999999999999999999", "includeSubDomains", "preload", ";", ",", "=", "'",
    '"', "default-src", "script-src", "'unsafe-inline'", "'nonce-abc'", "'sha256-x'", "*", "none", "DENY",
    "SAMEORIGIN", "ALLOW-FROM", "nosniff", "no-store", "private", "same-origin", "nginx/1.18.0", "PHP/5.6",
    "text/html; charset=", "utf-8", "klingon", "\x00", "\u00e9", " ", "\t",
])
_VALUE = st.one_of(st.text(max_size=80), st.lists(_TOKENS, max_size=10).map("".join))
_HEADERS = st.dictionaries(st.one_of(st.sampled_from(HEADER_NAMES), st.text(max_size=20)), _VALUE, max_size=8)
_HTML_BITS = st.sampled_from([
    "<html>", "<head>", "<meta name='generator' content='WordPress 4.9'>", "<meta charset='x'>", "<a href='",
    "/masuk", "'>", "</a>", "<div style='display:none'>", "<div class=\"hide\">", "<style>.hide{display:none}</style>",
    "<script src='https://cdn.example/x.js'>", "</script>", "<!--", "-->", "<![CDATA[", "&#x", "&amp;",
    "slot gacor", "togel", "Hacked by", "<title>", "</title>", "Traceback (most recent call last):", "\x00",
])
_HTML = st.one_of(st.text(max_size=300),
                  st.lists(st.one_of(_HTML_BITS, st.text(max_size=12)), max_size=30).map("".join))


_FAKER = make_faker(0)


def _page(body: bytes, headers: dict[str, str], status: int = 200) -> Page:
    return Page("http://127.0.0.1/", "http://127.0.0.1/x", status, {k.lower(): v for k, v in headers.items()}, [],
                body)


@FUZZ
@given(_HEADERS)
def test_header_observation_never_raises(headers: dict[str, str]) -> None:
    observed = observe_headers({k.lower(): v for k, v in headers.items()})
    assert isinstance(observed, dict)
    assert isinstance(parse_hsts(headers.get("strict-transport-security")), dict)
    assert isinstance(parse_csp(headers.get("content-security-policy")), dict)


@FUZZ
@given(st.lists(st.tuples(_VALUE, st.sampled_from(["http", "https", ""]), st.text(max_size=10)), max_size=6))
def test_cookie_parsing_never_raises_and_never_keeps_values(cookies: list[tuple[str, str, str]]) -> None:
    items = observe_cookies(cookies)
    for header, scheme, path in cookies:
        parsed = parse_set_cookie(header, scheme, path)
        assert isinstance(parsed["name"], str)
    secret = "NILAI-RAHASIA-SESI-123"
    assert secret not in repr(observe_cookies([(f"sid={secret}; Path=/; HttpOnly", "https", "/"), *cookies]))
    assert isinstance(items, list)


@FUZZ
@given(_HTML, _HEADERS)
def test_html_helpers_never_raise(html: str, headers: dict[str, str]) -> None:
    doc = parse(html)
    assert isinstance(doc.text, str)
    assert isinstance(version_disclosure({k.lower(): v for k, v in headers.items()}, doc), list)
    assert isinstance(debug_signatures(html), list)
    assert isinstance(keywords_in(html), list)
    assert isinstance(hiding_reason(html), str)


@FUZZ
@given(st.binary(max_size=400), _HEADERS, st.integers(min_value=100, max_value=599))
def test_page_text_and_shape_never_raise(body: bytes, headers: dict[str, str], status: int) -> None:
    page = _page(body, headers, status)
    assert isinstance(page_text(page), str)
    assert shape(page, "/x").status == status


@pytest.mark.parametrize("ctype", ["text/html; charset=utf\x008", "text/html; charset=\x00"])
def test_nul_in_charset_does_not_raise(ctype: str) -> None:
    """codecs.lookup raises ValueError (not LookupError) for a name containing NUL."""
    assert isinstance(_page(b"<p>halo</p>", {"content-type": ctype}).text, str)


@FUZZ
@given(_HEADERS, _HTML, st.sampled_from(["http", "https"]), st.sampled_from([True, False, None]))
def test_observatory_score_never_raises(headers: dict[str, str], html: str, scheme: str,
                                        verified: bool | None) -> None:
    h = observe_headers({k.lower(): v for k, v in headers.items()})
    cookies = [{**c, "final_response": True}
               for c in observe_cookies([(v, scheme, "/") for k, v in headers.items() if k == "set-cookie"])]
    redirect: dict[str, Any] = {"status": "ok", "reachable": False, "error": "refused"}
    result = observatory.score(h, scheme=scheme, tls_verified=verified, cookies=cookies, cors=[], redirect=redirect,
                               doc=parse(html), final_url=f"{scheme}://127.0.0.1/")
    assert result["score"] >= 0


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=2**31), _HTML, _HTML, st.sampled_from(["text/html", "application/json",
                                                                               "text/plain", ""]))
def test_personal_data_observer_masks_what_it_sees(seed: int, before: str, after: str, ctype: str) -> None:
    fake = _FAKER
    fake.seed_instance(seed)
    nik, phone, email = fake.nik(), fake.phone_id(), fake.email()
    body = f"{before} <td>{nik}</td> {phone} {email} {after}".encode()
    observed = observe_personal_data("/", _page(body, {"content-type": ctype}))
    text = repr(observed)
    assert nik not in text and phone not in text and email not in text
