"""The end-of-life table: cycle matching, the boundary dates, the shipped table and its updater."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from scanner.judging.eol import PRODUCTS, load_table, parse_table, table_path
from scanner.yamlio import load_yaml

REPO = Path(__file__).resolve().parents[2]
RECORDED = REPO / "tests" / "data" / "eol"
D = dt.date


def test_shipped_table_covers_every_product_and_cites_its_policy() -> None:
    table = load_table()
    assert set(table.products) == set(PRODUCTS)
    for product in table.products.values():
        assert product.policy.startswith("https://") and product.cycles


@pytest.mark.parametrize(("product", "version", "cycle"), [
    ("php", "7.4.33", "7.4"), ("php", "8.2.36", "8.2"), ("openssl", "1.1.1w", "1.1.1"), ("openssl", "1.0.2k", "1.0.2"),
    ("openssl", "3.0.2", "3.0"), ("postgresql", "14.5", "14"), ("postgresql", "9.6.24", "9.6"),
    ("jquery", "1.12.4", "1"), ("mariadb", "10.11.6", "10.11"), ("mariadb", "10.1.48", "10.1"),
    ("nodejs", "20.11.1", "20"), ("wordpress", "5.2.4", "5.2"), ("apache-httpd", "2.4.41", "2.4"),
])
def test_version_maps_to_the_longest_matching_cycle(product: str, version: str, cycle: str) -> None:
    found = load_table().lookup(product, version, D(2026, 12, 1))
    assert found is not None and found["cycle"] == cycle


def test_unknown_product_or_cycle_says_nothing() -> None:
    table = load_table()
    assert table.lookup("microsoft-iis", "10.0", D(2026, 12, 1)) is None
    assert table.lookup("php", "99.1", D(2026, 12, 1)) is None
    assert table.lookup("php", "banana", D(2026, 12, 1)) is None


BOUNDARY = {"retrieved": "2026-08-22", "products": {"php": {"name": "PHP", "policy": "https://www.php.net/",
            "cycles": [{"cycle": "8.1", "security_until": "2025-12-31"},
                       {"cycle": "8.4", "security_until": "2028-12-31"},
                       {"cycle": "5", "ended": True}, {"cycle": "9"}]}}}


@pytest.mark.parametrize(("on", "status", "days"), [
    (D(2025, 12, 30), "supported", None),
    (D(2025, 12, 31), "supported", None),  # the last day of security support is still supported
    (D(2026, 1, 1), "ended", 1),
    (D(2026, 12, 31), "ended", 365),
    (D(2027, 1, 1), "ended", 366),
])
def test_eol_boundary_dates(on: dt.date, status: str, days: int | None) -> None:
    found = parse_table(BOUNDARY).lookup("php", "8.1.2", on)
    assert found is not None and (found["status"], found["days_past_end"]) == (status, days)
    assert found["supported_cycles"] == (["8.4", "9"] if status == "ended" else ["8.1", "8.4", "9"])


def test_ended_without_a_date_and_no_end_announced() -> None:
    table = parse_table(BOUNDARY)
    assert table.lookup("php", "5.6.40", D(2026, 1, 1))["status"] == "ended"  # type: ignore[index]
    assert table.lookup("php", "5.6.40", D(2026, 1, 1))["days_past_end"] == 0  # type: ignore[index]
    assert table.lookup("php", "9.0.1", D(2040, 1, 1))["status"] == "supported"  # type: ignore[index]


def test_table_age_is_counted_from_its_retrieval_date() -> None:
    assert parse_table(BOUNDARY).age_days(D(2026, 12, 1)) == 101


@pytest.mark.parametrize("broken", [{}, {"retrieved": "2026-08-22"}, {"retrieved": "not a date", "products": {}},
                                    {"retrieved": "2026-08-22", "products": {"php": {"name": "PHP"}}}])
def test_malformed_table_is_refused(broken: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"eol\.yaml"):
        parse_table(broken)


def test_update_script_rebuilds_the_shipped_table_from_recorded_answers(tmp_path: Path) -> None:
    out = tmp_path / "eol.yaml"
    result = subprocess.run([sys.executable, str(REPO / "scripts" / "update-eol-data"), "--from-dir", str(RECORDED),
                             "--output", str(out), "--retrieved", "2026-08-22"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert load_yaml(out.read_text()) == load_yaml(table_path().read_text())


def test_update_script_keeps_the_table_when_an_answer_is_broken(tmp_path: Path) -> None:
    recorded = tmp_path / "recorded"
    recorded.mkdir()
    for slug, _, _ in PRODUCTS.values():
        (recorded / f"{slug}.json").write_text((RECORDED / f"{slug}.json").read_text())
    (recorded / "php.json").write_text('[{"cycle": "8.4", "eol": "not-a-date"}]')
    out = tmp_path / "eol.yaml"
    out.write_text("kept")
    result = subprocess.run([sys.executable, str(REPO / "scripts" / "update-eol-data"), "--from-dir", str(recorded),
                             "--output", str(out)], capture_output=True, text=True)
    assert result.returncode == 1 and "left unchanged" in result.stderr
    assert out.read_text() == "kept"
