"""Passwords inside URLs: removed from the URL, decoded exactly once, hidden in free text."""

from __future__ import annotations

import pytest

from scanner.urlsecrets import redact, redact_url, split_password


@pytest.mark.parametrize(("url", "clean", "password"), [
    ("postgresql://u:p%40ss%25w@h:5432/db", "postgresql://u@h:5432/db", "p@ss%w"),
    ("postgresql://u@h/db?sslmode=require&password=p%2540&x=1", "postgresql://u@h/db?sslmode=require&x=1", "p%40"),
    ("mysql://u@h/db?PASSWD=a+b", "mysql://u@h/db", "a+b"),
    ("postgresql://u:inline@h/db?pwd=query", "postgresql://u@h/db", "inline"),
    ("postgresql://:only@[::1]:5/db", "postgresql://[::1]:5/db", "only"),
    ("sqlite:///tmp/a.db", "sqlite:///tmp/a.db", ""),
    ("sqlite:///tmp/a.db?password=x&mode=ro", "sqlite:///tmp/a.db?mode=ro", "x"),
    ("postgresql://u@h:1/x?password+=Qpw_LLL222", "postgresql://u@h:1/x", "Qpw_LLL222"),  # review 2026-12-06 #5
    ("postgresql://u@h:1/x?password%20=Qpw", "postgresql://u@h:1/x", "Qpw"),
])
def test_split_password(url: str, clean: str, password: str) -> None:
    assert split_password(url) == (clean, password)


def test_redact_hides_every_spelling_of_a_url_password() -> None:
    message = ('could not parse "postgresql://u:R%40h@h/db" nor "mysql://x@h/d?password=R@h&ssl=1"; '
               "raw R@h and quoted R%40h")
    hidden = redact(message, "R@h")
    assert "R@h" not in hidden and "R%40h" not in hidden
    assert "postgresql://u:***@h/db" in hidden and "?password=***&ssl=1" in hidden
    assert redact_url("postgresql://u:s3cret@[bad/db") == "postgresql://u:***@[bad/db"
    assert redact_url("https://host:8443/path@x") == "https://host:8443/path@x"  # a port is not a password


def test_redact_hides_password_plus_and_sslpassword() -> None:
    """Security review 2026-12-06 (#5 PARTLY): libpq used ``?password+=`` as the password, and
    ``?sslpassword=`` unlocks a client key; both were printed verbatim."""
    hidden = redact("postgresql://u@h:1/x?password+=StorePw3&sslpassword=KeyPw9&password%20=Third")
    assert "StorePw3" not in hidden and "KeyPw9" not in hidden and "Third" not in hidden
