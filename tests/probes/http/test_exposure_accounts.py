"""Account names revealed by user-enumeration hits: counted, at most three kept, always masked;
hostile bodies (not JSON, wrong shapes, huge lists, huge names) never crash or leak."""

from __future__ import annotations

import json

import pytest

from scanner.probes.http.disclosure import debug_signatures
from scanner.probes.http.exposures import account_names, add_accounts
from scanner.probes.http.fetch import Page

JSON_SPEC = {"from": "json", "field": "slug"}
PATH_SPEC = {"from": "final_path", "regex": "/author/([^/]+)/?$"}


def page(body: bytes, final_url: str = "http://x/wp-json/wp/v2/users") -> Page:
    return Page("http://x/", final_url, 200, {"content-type": "application/json"}, [], body)


def test_rest_users_are_counted_and_masked() -> None:
    users = [{"id": i, "slug": f"pegawai-{i:03d}", "name": f"Pegawai {i}"} for i in range(40)]
    item = {"final_path": "/wp-json/wp/v2/users"}
    add_accounts(item, account_names(JSON_SPEC, page(json.dumps(users).encode())))
    assert item["accounts"] == 40 and len(item["examples"]) == 3
    assert all("pegawai-" not in e and "*" in e for e in item["examples"])


def test_author_archive_name_is_masked_in_the_final_path_too() -> None:
    item = {"final_path": "/author/budi-santoso/"}
    add_accounts(item, account_names(PATH_SPEC, page(b"<html>", "http://x/author/budi-santoso/")))
    assert item["accounts"] == 1 and "budi-santoso" not in json.dumps(item)


@pytest.mark.parametrize("body", [b"not json", b"{\"slug\": \"x\"}", b"[1, 2, \"three\"]", b"[{\"slug\": null}]",
                                  b"\xff\xfe\x00garbage", b"[" * 100000])
def test_hostile_json_bodies_reveal_nothing_and_do_not_crash(body: bytes) -> None:
    assert account_names(JSON_SPEC, page(body)) == []


def test_huge_names_are_cut_before_masking() -> None:
    item = {"final_path": "/"}
    add_accounts(item, account_names(JSON_SPEC, page(json.dumps([{"slug": "a" * 60000}]).encode())))
    assert len(item["examples"][0]) <= 100


@pytest.mark.parametrize(("text", "framework"), [
    # Django 5.2 technical 404: typographic apostrophe and a line break inside the sentence
    ("You\u2019re seeing this error because you have <code>DEBUG = True</code> in\n  your Django settings file.",
     "django-debug"),
    ("You&rsquo;re seeing this error because you have <code>DEBUG = True</code> in your Django settings",
     "django-debug"),
    ("Using the URLconf defined in <code>portal.urls</code>,\n Django tried these URL patterns", "django-debug"),
    # PHP 8.2 fatal error: the path follows "thrown in" on a later line
    ("<b>Fatal error</b>:  Uncaught Error: Call to undefined function x() in /srv/a.php:4\nStack trace:\n#0 {main}\n"
     "  thrown in <b>/srv/a.php</b> on line <b>4</b>", "php-error"),
    ("PHP Warning:  include(x.php): Failed to open stream in /var/www/html/index.php on line 3", "php-error"),
    # Express 4 development error handler: frames indented with &nbsp;
    ("<pre>Error: boom<br> &nbsp; &nbsp;at Layer.handle [as handle_request] (/srv/app/node_modules/express/lib/"
     "router/layer.js:95:5)</pre>", "stack-trace"),
])
def test_debug_signatures_survive_real_page_spelling(text: str, framework: str) -> None:
    assert framework in debug_signatures(text)


@pytest.mark.parametrize("text", ["Warning: the road is closed in the morning", "at home (see page 3)",
                                  "You are seeing this page because DEBUG mode is a myth"])
def test_ordinary_text_is_not_a_debug_page(text: str) -> None:
    assert debug_signatures(text) == []
