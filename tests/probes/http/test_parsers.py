"""Unit tests of the small parsers: headers, cookies, HTML, exposure matchers, scoring."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from scanner.probes.http import observatory
from scanner.probes.http.cookies import parse_set_cookie
from scanner.probes.http.exposures import template_matches
from scanner.probes.http.fetch import Page
from scanner.probes.http.headers import observe_headers, parse_csp, parse_hsts
from scanner.probes.http.judol import keywords_in


def _page(body: bytes, status: int = 200, ctype: str = "text/plain") -> Page:
    return Page("http://x/", "http://x/", status, {"content-type": ctype}, [], body)


def test_hsts_parsing() -> None:
    hsts = parse_hsts("max-age=31536000; includeSubDomains; preload")
    assert hsts == {"present": True, "value": "max-age=31536000; includeSubDomains; preload", "max_age": 31536000,
                    "include_subdomains": True, "preload": True,
                    "valid": True, "invalid_reason": ""}
    assert parse_hsts(None)["present"] is False
    assert parse_hsts("includeSubDomains")["max_age"] is None
    assert parse_hsts("includeSubDomains")["invalid_reason"] == "max-age missing"
    assert parse_hsts("max-age=1, max-age=2")["valid"] is False  # sent twice: browsers ignore it
    assert parse_hsts('max-age = "31536000"')["max_age"] == 31536000  # RFC 6797 spacing and quoting


def test_csp_parsing() -> None:
    csp = parse_csp("default-src 'self'; script-src 'self' 'unsafe-inline'; frame-ancestors 'none'")
    assert csp["script_unsafe_inline"] and not csp["script_unsafe_eval"]
    assert csp["frame_ancestors"] == "'none'"
    assert "script-unsafe-inline-or-broad" in csp["weaknesses"]
    assert parse_csp("default-src 'self'; frame-ancestors")["frame_ancestors"] == "'none'"  # empty forbids all
    assert "script-unsafe-inline-or-broad" in parse_csp("script-src 'self'")["weaknesses"]  # no object-src
    assert parse_csp("default-src 'none'; default-src 'self'")["invalid_reason"].startswith("directive default-src")
    assert parse_csp("script-src 'strict-dynamic'; object-src 'none'")["valid"] is False
    assert not parse_csp("script-src 'nonce-abc' 'unsafe-inline'")["script_unsafe_inline"]
    assert parse_csp(None)["frame_ancestors"] == ""


def test_referrer_policy_fallback_list() -> None:
    h = observe_headers({"referrer-policy": "no-referrer, strict-origin-when-cross-origin"})
    assert h["referrer_policy"]["effective"] == "strict-origin-when-cross-origin"
    assert h["referrer_policy"]["private"] is True


def test_cookie_attributes_and_no_value() -> None:
    c = parse_set_cookie("laravel_session=SECRETVALUE; Path=/; Secure; HttpOnly; SameSite=strict", "https")
    assert (c["secure"], c["http_only"], c["same_site"], c["session_like"]) == (True, True, "Strict", True)
    assert "SECRETVALUE" not in str(c)
    assert parse_set_cookie("XSRF-TOKEN=x", "https")["session_like"] is False
    assert parse_set_cookie("a=b; SameSite=Sometimes", "https")["same_site_valid"] is False


def test_keywords_are_whole_words() -> None:
    assert keywords_in("Info Slot Gacor dan TOGEL hari ini") == ["slot gacor", "togel"]
    assert keywords_in("ketogelan slotgacorx") == []


def test_exposure_matchers_negative_and_binary() -> None:
    template = {"matchers": [{"type": "status", "status": [200]},
                             {"type": "regex", "regex": ["(?m)^DB_PASSWORD="]},
                             {"type": "word", "words": ["<html"], "case_insensitive": True, "negative": True}]}
    assert template_matches(template, _page(b"DB_PASSWORD=x\n"))
    assert not template_matches(template, _page(b"<HTML>DB_PASSWORD=x\n"))
    assert not template_matches(template, _page(b"DB_PASSWORD=x\n", status=404))
    zip_template = {"matchers": [{"type": "binary", "hex": ["504b0304"]}]}
    assert template_matches(zip_template, _page(b"PK\x03\x04rest"))


@given(st.integers(min_value=0, max_value=200))
def test_grade_chart_is_monotonic(score: int) -> None:
    order = ["F", "D-", "D", "D+", "C-", "C", "C+", "B-", "B", "B+", "A-", "A", "A+"]
    assert order.index(observatory.grade_for(score)) <= order.index(observatory.grade_for(score + 5))


def test_grade_boundaries() -> None:
    assert [observatory.grade_for(s) for s in (0, 24, 25, 40, 59, 85, 90, 100, 145)] == [
        "F", "F", "D-", "D+", "C", "A-", "A", "A+", "A+"]


def test_unknown_charset_falls_back_to_utf8() -> None:
    page = Page("http://x/", "http://x/", 200, {"content-type": "text/html; charset=klingon"}, [], b"caf\xc3\xa9")
    assert page.text == "caf\u00e9"


def test_date_header_offset_from_the_local_clock() -> None:
    from datetime import UTC, datetime

    from scanner.probes.http.headers import observe_date

    now = datetime(2026, 12, 6, 6, 10, tzinfo=UTC)
    assert observe_date("Sun, 06 Dec 2026 06:00:00 GMT", now)["skew_s"] == -600
    assert observe_date("Sun, 06 Dec 2026 06:10:30 GMT", now)["skew_s"] == 30
    for odd in ("garbage", "Sun, 06 Dec 2026 06:00:00", "", "Mon, 99 Foo 99999 99:99:99 GMT"):
        assert observe_date(odd, now)["skew_s"] is None
    assert observe_date(None, now) == {"present": False, "value": None, "skew_s": None}
