"""Target strings are classified, and passwords never stay in the location."""

from __future__ import annotations

import pytest

from scanner.model import TargetKind
from scanner.targets import TargetError, parse_target


def test_kinds(tmp_path):
    (tmp_path / "dump.sql").write_text("")
    assert parse_target("https://portal.contoh.go.id").kind is TargetKind.URL
    assert parse_target("sqlite:///x.db").kind is TargetKind.DATABASE
    assert parse_target("mysql+pymysql://u@127.0.0.1/db").kind is TargetKind.DATABASE
    assert parse_target(str(tmp_path / "dump.sql")).kind is TargetKind.SQLFILE
    assert parse_target(str(tmp_path)).kind is TargetKind.SOURCE


def test_password_is_kept_out_of_location_and_json():
    target = parse_target("postgresql://scanner:s3cret@127.0.0.1:5432/simpeg")
    assert target.location == "postgresql://scanner@127.0.0.1:5432/simpeg"
    assert target.password == "s3cret"
    assert "s3cret" not in str(target.to_dict()) and "s3cret" not in repr(target)


@pytest.mark.parametrize("text,message", [
    ("ftp://x", "not a supported scheme"),
    ("https://", "URL has no host"),
    ("missing.sql", "SQL file not found"),
    ("nothing-here", "not a URL"),
    ("http://[", "malformed URL: Invalid IPv6 URL"),
    ("https://host:99999/", "malformed URL: Port out of range"),
    ("postgresql://u@h:abc/db", "malformed URL: Port could not be cast"),
])
def test_errors(text, message):
    with pytest.raises(TargetError, match=message):
        parse_target(text)


@pytest.mark.parametrize("text,url", [
    ("portal.contoh.go.id", "https://portal.contoh.go.id/"),
    ("portal.contoh.go.id:8443", "https://portal.contoh.go.id:8443/"),
    ("127.0.0.1:8443", "https://127.0.0.1:8443/"),
    ("localhost", "https://localhost/"),
    ("[::1]:8443", "https://[::1]:8443/"),
])
def test_bare_host_means_its_https_site(text, url):
    target = parse_target(text)
    assert (target.kind, target.location) == (TargetKind.URL, url)


@pytest.mark.parametrize("text", ["999.1.1.1", "host:99999", "[zz::1]", "-bad-.go.id"])
def test_not_a_bare_host(text):
    with pytest.raises(TargetError, match="not a URL"):
        parse_target(text)


def test_missing_directory_says_not_found(tmp_path):
    with pytest.raises(TargetError, match="no such file or directory"):
        parse_target(str(tmp_path / "src-yang-hilang"))
    with pytest.raises(TargetError, match="no such file or directory"):
        parse_target("./src-yang-hilang")


def test_existing_local_name_wins_over_host(tmp_path):
    (tmp_path / "app.py").write_text("x = 1\n")
    assert parse_target("app.py", base_dir=tmp_path).kind is TargetKind.SOURCE
    assert parse_target(str(tmp_path / "app.py")).kind is TargetKind.SOURCE


@pytest.mark.parametrize("text,ident", [
    ("https://[::1]:8443/x", "https://[::1]:8443/x"),
    ("https://[2001:DB8::1]/", "https://[2001:db8::1]/"),
    ("[::1]:8443", "https://[::1]:8443/"),
])
def test_ipv6_ids_keep_their_brackets(text, ident):
    assert parse_target(text).id == ident
