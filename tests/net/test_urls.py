"""The URL gate: what it approves is what requests connects to; hostile spellings are refused."""

from __future__ import annotations

import pytest

from scanner.net.urls import OutOfScope, UnsafeURL, UnsupportedScheme, destination, gate, join, link_host
from scanner.running.scope import Scope

IN = Scope(patterns=("127.0.0.1",))


@pytest.mark.parametrize("url, reason", [
    ("http://127.0.0.2:8001\\@127.0.0.1:8002/x", "backslash"),
    ("http://127.0.0.1\\.127.0.0.2/", "backslash"),
    ("http://user:pw@127.0.0.1/", "user information"),
    ("http://127.0.0.2@127.0.0.1/", "user information"),
    ("http://127.0.0.1/\x00", "control character"),
    ("http://127.0.0.1\t/", "control character"),
    ("http://[x]/", "malformed"),
    ("http://127.0.0.1:99999/", "malformed"),
    ("http:///x", "malformed"),
    ("http://0x7f.0.0.2/", "unusual spelling"),
    ("http://2130706434/", "unusual spelling"),
    ("http://127.2/", "unusual spelling"),
])
def test_hostile_spellings_are_refused(url: str, reason: str) -> None:
    with pytest.raises(UnsafeURL, match=reason):
        destination(url)


def test_destination_is_what_requests_prepares() -> None:
    where = destination("HTTP://Bücher.Example:8080/a b?q=1#frag")
    assert (where.scheme, where.host, where.port, where.path) == ("http", "xn--bcher-kva.example", 8080, "/a%20b?q=1")
    assert destination("https://[::1]/").origin == ("https", "::1", 443)
    assert destination("http://127%2e0.0.1/").host == "127.0.0.1"


def test_gate_checks_scope_on_the_connected_host() -> None:
    assert gate("http://127.0.0.1:9/x", IN).host == "127.0.0.1"
    with pytest.raises(OutOfScope):
        gate("http://127.0.0.2:9/x", IN)
    with pytest.raises(UnsupportedScheme):
        gate("mailto:a@127.0.0.1", IN)


def test_join_resolves_links_and_refuses_malformed_ones() -> None:
    assert join("http://127.0.0.1/a/b", "../c").url == "http://127.0.0.1/c"
    with pytest.raises(UnsafeURL):
        join("http://127.0.0.1/", "//127.0.0.2:1\\@127.0.0.1/x")
    with pytest.raises(UnsafeURL):
        join("http://127.0.0.1/", "http://[x]/")


def test_link_host_reports_where_a_browser_would_go_and_never_raises() -> None:
    assert link_host("http://127.0.0.1/", "http://127.0.0.2:1\\@127.0.0.1:2/x") == "127.0.0.2"
    assert link_host("http://127.0.0.1/", "http://[x]/") == ""
    assert link_host("http://127.0.0.1/", "/local") == "127.0.0.1"
