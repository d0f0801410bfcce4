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
