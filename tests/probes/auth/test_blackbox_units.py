"""Pure parts of the black-box mode: references, API descriptions, refusals, unsafe URLs."""

from __future__ import annotations

import pytest

from scanner.net.html import parse
from scanner.net.urls import UnsafeURL, destination
from scanner.probes.auth import openapi, references
from scanner.probes.auth.blackbox import refusal, resolved
from scanner.probes.auth.client import Reply


def reply(status: int, text: str, **headers: str) -> Reply:
    return Reply("http://127.0.0.1/x", status, {k.replace("_", "-"): v for k, v in headers.items()}, text)


def test_script_calls_are_found_and_template_parts_filled() -> None:
    js = """fetch("/api/a"); axios.get('/api/b'); $.ajax({type: "GET", url: "/api/c"}); $.getJSON(`/api/d/${id}`);
            fetch(url); axios.post("/api/e")"""
    assert references.from_script(js) == ["/api/a", "/api/b", "/api/c", "/api/d/1", "/api/e"]


def test_hostile_script_is_bounded() -> None:
    js = "".join(f'fetch("/api/{i}");' for i in range(5000)) + "fetch(" * 100_000
    assert len(references.from_script(js)) == references.MAX_REFERENCES


def test_html_links_forms_and_inline_scripts() -> None:
    doc = parse("""<a href="/berita">x</a><a href="/api/v1/data">y</a><a href="/docs/openapi.json">d</a>
        <form action="/api/cari?old=1"><input name="q"><select name="kec"></select></form>
        <form action="/login" method="post"><input name="password"></form>
        <script>fetch('/api/inline')</script><script src="/app.js"></script>""")
    refs = references.from_html(doc)
    assert refs["links"] == ["/api/v1/data", "/docs/openapi.json"]
    assert refs["forms"] == ["/api/cari?q=contoh&kec=contoh"]  # POST forms are never sent
    assert refs["inline-scripts"] == ["/api/inline"]
    assert refs["descriptions"] == ["/docs/openapi.json"]


def test_robots_and_sitemap() -> None:
    robots = "User-agent: *\nDisallow: /admin/\nDisallow: /*.php$\nAllow: /api/public # ok\nSitemap: /s.xml\n"
    assert references.from_robots(robots) == ["/admin/", "/api/public", "/s.xml"]
    sitemap = '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><urlset><url><loc>&e;</loc></url>' \
              "<url><loc> https://a/api/x </loc></url></urlset>"
    assert references.from_sitemap(sitemap) == ["&e;", "https://a/api/x"]  # read as text: nothing expanded


def test_description_security_servers_and_sample_values() -> None:
    doc = openapi.parse_document("""
openapi: 3.0.3
servers: [{url: https://api.contoh.go.id/v1}, {url: /v1}]
security: [{bearer: []}]
paths:
  /warga/{id}: {get: {}}
  /stat: {get: {security: []}}
  /hapus: {delete: {}}
""")
    assert openapi.version(doc) == "openapi-3.0.3"
    assert openapi.servers(doc) == ["https://api.contoh.go.id/v1", "/v1"]
    found = openapi.operations(doc, "", fill_missing=True).endpoints
    assert [(d.path, d.declared_security, d.declared_public) for d in found] == [
        ("/warga/1", True, False), ("/stat", False, True)]
    swagger = openapi.parse_document('{"swagger": "2.0", "host": "h", "basePath": "/api", "paths": {}}')
    assert openapi.servers(swagger) == ["https://h/api"]


@pytest.mark.parametrize("text", ["a: &x [1]\nb: *x\npaths: {}", "[1, 2]", "{", "openapi: 3\n"])
def test_hostile_or_empty_descriptions_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        openapi.parse_document(text)


def test_refusal_needs_a_refusing_answer() -> None:
    assert refusal(reply(401, "{}")) == {"refused": True, "reason": "status-401"}
    assert refusal(reply(302, "", location="/masuk?next=/api"))["reason"] == "login-redirect"
    assert refusal(reply(200, '{"error":"unauthorized"}'))["reason"] == "error-body"
    assert not refusal(reply(200, '{"data": []}'))["refused"]
    assert not refusal(reply(200, "unauthorized " + "x" * 5000))["refused"]  # a real page mentioning the word
    assert not refusal(reply(302, "", location="/beranda"))["refused"]


@pytest.mark.parametrize("url", ["http://127.0.0.1/a\x00b", "http://127.0.0.1\\@evil/", "http://u:p@127.0.0.1/",
                                 "http://[::1/", "file:///etc/passwd"])
def test_unsafe_urls_are_refused(url: str) -> None:
    with pytest.raises(UnsafeURL):
        destination(url)
    assert resolved("http://127.0.0.1/", [url]) == []
