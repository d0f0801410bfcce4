"""Columns added late (NULL in the oldest 3,000 of 5,000 rows) are found on every engine.

Before sampling spread over the whole table, SQLite's ``LIMIT n`` and PostgreSQL's
``TABLESAMPLE ... LIMIT n`` read only the oldest rows: no phone or NIK value was seen.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fixtures.db.late_columns import FIRST_WITH_DATA, LATE_COLUMNS, ROWS, TABLE, create_late_columns
from fixtures.db.servers import DbServer
from scanner.targets import parse_target
from tests.probes.database.helpers import Scan, new_database, run_scan

EXPECTED = {"no_hp": "phone", "nik": "nik", "email": "email"}


def _scan(url: str, seed: int) -> Scan:
    return run_scan(parse_target(url, options={"sample_rows": 150, "sample_seed": seed}))


@pytest.fixture(scope="module")
def late_urls(tmp_path_factory: pytest.TempPathFactory, pg_weak: DbServer, maria_weak: DbServer,
              pg_hardened: DbServer, maria_hardened: DbServer) -> dict[str, str]:
    """The hardened servers are awaited too: Faker imports its providers lazily, and a concurrent
    import in a seeding thread can trip CPython 3.11's compiler (``SystemError``)."""
    path: Path = tmp_path_factory.mktemp("late") / "late.db"
    create_late_columns(f"sqlite:///{path}")
    urls = {"sqlite": f"sqlite:///{path}"}
    for server in (pg_weak, maria_weak):
        urls[server.engine] = new_database(server, "kolom_baru", [], fill=create_late_columns)
    return urls


@pytest.mark.parametrize("engine", ["sqlite", "postgresql", "mariadb"])
@pytest.mark.parametrize("seed", [1, 2])
def test_late_columns_are_found_by_value(late_urls: dict[str, str], engine: str, seed: int) -> None:
    scan = _scan(late_urls[engine], seed)
    columns = scan.columns()
    for name, kind in EXPECTED.items():
        item = columns.get(f"{TABLE}.{name}")
        assert item is not None, f"{engine}: {name} missed"
        assert item["kind"] == kind
        assert item["value_confirmed"], f"{engine}: {name} known by name only"
        assert item["protection"]["state"] == "plaintext"
        assert item["sample_size"] >= 20
    assert f"{TABLE}.nik" in scan.keys("PND-DB-001")


@pytest.mark.parametrize("engine", ["sqlite", "postgresql", "mariadb"])
def test_facts_say_how_the_sample_was_drawn(late_urls: dict[str, str], engine: str) -> None:
    table = next(t for t in _scan(late_urls[engine], 1).data["tables"] if t["name"] == TABLE)
    drawn = table["sample"]
    assert drawn["method"] == table["sample_method"]
    assert drawn["rows_seen"] == table["sampled_rows"] > 0
    assert not drawn["complete"]
    assert set(LATE_COLUMNS) <= set(drawn["non_null"])
    assert all(drawn["non_null"][c] >= 20 for c in LATE_COLUMNS)
    # the sample reaches both ends of the table, not only its oldest rows
    assert drawn["coverage"]["from"] < (FIRST_WITH_DATA - 1) / ROWS
    assert drawn["coverage"]["to"] > 0.9
