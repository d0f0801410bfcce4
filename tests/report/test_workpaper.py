"""Workpaper metadata: local time in the profile's zone (default WIB) in Indonesian date format,
operator, authorisation, scanning host, method, not-tested list, scoring and the result's SHA-256."""

from __future__ import annotations

from dataclasses import replace

from scanner.audit import result_digest
from scanner.report.html import render
from scanner.report.localtime import local_time
from scanner.report.workpaper import number
from scanner.running.politeness import PolitenessPolicy
from tests.report.fixtures import demo_result


def test_indonesian_date_format_and_zones() -> None:
    assert local_time("2026-12-06T03:21:26+00:00", "Asia/Jakarta", "id") == "6 Desember 2026 pukul 10.21 WIB"
    assert local_time("2026-12-06T03:21:26+00:00", "Asia/Makassar", "id") == "6 Desember 2026 pukul 11.21 WITA"
    assert local_time("2026-12-06T03:21:26+00:00", "Asia/Jayapura", "en") == "6 December 2026, 12:21 WIT"
    assert local_time("not a time", "Asia/Jakarta", "id") == "not a time"


def test_demo_report_shows_wib_and_the_result_digest() -> None:
    result, rules = demo_result()
    page = render(result, rules, "id")
    assert "1 Desember 2026 pukul 15.00 WIB" in page  # started 08:00 UTC
    assert result_digest(result) in page
    assert "keparahan \u00d7 paparan" in page and "Tidak diuji" in page


def test_operator_authorisation_and_zone_from_the_audit_record() -> None:
    from scanner.audit import audit_record

    result, rules = demo_result()
    record = audit_record({"operator": "Inspektorat Kota X", "authorisation": "ST-700/12/2026", "timezone":
                           "Asia/Makassar"}, None, "ST-701/12/2026", ["tls", "http"], PolitenessPolicy(), False)
    page = render(replace(result, profile={**result.profile, "audit": record}), rules, "id")
    assert "Inspektorat Kota X" in page and "ST-701/12/2026" in page and "ST-700" not in page
    assert "pukul 16.00 WITA" in page
    assert "tanpa kredensial" in page and "paling banyak 5 koneksi" in page


def test_numbers_use_a_decimal_comma_in_indonesian() -> None:
    assert number(80.0, "id") == "80,0" and number(80.0, "en") == "80.0"
