"""OSV advisories: per-ecosystem version order and range semantics."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from scanner.judging.advisories import Advisory, index_from_export, package_key
from tests.osv_bundle import osv_export


def _advisory(*ranges: tuple[tuple[str, str], ...], versions: frozenset[str] = frozenset()) -> Advisory:
    return Advisory("X", (), "", "high", tuple(ranges), versions, "")


@pytest.mark.parametrize(("ecosystem", "version", "affected"), [
    ("npm", "4.17.20", True), ("npm", "4.17.21", False), ("npm", "4.17.21-beta.1", True), ("npm", "5.0.0", False),
    ("Packagist", "7.4.4", True), ("Packagist", "v7.4.4", True), ("Packagist", "7.4.5", False),
    ("Packagist", "7.4.4.1", True), ("Packagist", "7.10.0", False),
    ("PyPI", "4.17.21rc1", True), ("PyPI", "4.17.21", False), ("PyPI", "4.17.21.post1", False),
])
def test_fixed_is_exclusive_in_each_ecosystems_order(ecosystem: str, version: str, affected: bool) -> None:
    introduced_at = "0" if ecosystem != "Packagist" else "7.0.0"
    fixed = "4.17.21" if ecosystem != "Packagist" else "7.4.5"
    advisory = _advisory((("introduced", introduced_at), ("fixed", fixed)))
    assert advisory.affects(ecosystem, version) is affected


def test_numbers_not_strings_decide_the_order() -> None:
    assert _advisory((("introduced", "1.2.0"), ("fixed", "1.10.0"))).affects("npm", "1.9.0")
    assert not _advisory((("introduced", "1.2.0"), ("fixed", "1.10.0"))).affects("npm", "1.10.0")


def test_last_affected_is_inclusive_and_explicit_versions_count() -> None:
    advisory = _advisory((("introduced", "2.0.0"), ("last_affected", "2.3.0")), versions=frozenset({"1.0.0"}))
    assert advisory.affects("npm", "2.3.0") and not advisory.affects("npm", "2.3.1")
    assert advisory.affects("npm", "1.0.0") and not advisory.affects("npm", "1.5.0")


def test_pypi_names_are_normalised() -> None:
    assert package_key("PyPI", "Jinja2") == package_key("PyPI", "jinja2")
    assert package_key("PyPI", "zope.interface") == "zope-interface"


def test_index_of_a_recorded_export(tmp_path: Path) -> None:
    index = index_from_export(osv_export("Packagist", tmp_path / "all.zip"), "Packagist", dt.date(2026, 12, 1))
    assert index["advisories"] == 1 and index["retrieved"] == "2026-12-01"
    (entry,) = index["packages"]["guzzlehttp/guzzle"]
    assert entry["id"] == "GHSA-25mq-v84q-4j7r" and entry["severity"] == "high"
    assert entry["aliases"] == ["CVE-2022-31090"]


def test_not_an_export_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "all.zip"
    junk.write_bytes(b"PK not really")
    with pytest.raises(ValueError, match="not an OSV export"):
        index_from_export(junk, "npm", dt.date(2026, 12, 1))
