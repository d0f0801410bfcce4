"""Per-column classification on real SQLite, PostgreSQL and MariaDB databases seeded by fixtures.db."""

from __future__ import annotations

import pytest

from tests.probes.database.helpers import EXPECTED_COLUMNS, EXPECTED_CREDENTIALS, RULES, Scan, unmasked_values

ENGINES = ["sqlite", "postgresql", "mariadb"]


@pytest.mark.parametrize("engine", ENGINES)
def test_probe_ran(weak_scans: dict[str, Scan], engine: str) -> None:
    scan = weak_scans[engine]
    assert scan.facts.status == "ok", scan.facts.reason
    assert scan.data["engine"] == engine
    assert scan.data["table_count"] == 7
    assert scan.data["cost"]["queries"] > 0


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("key", sorted(EXPECTED_COLUMNS))
def test_column_classification(weak_scans: dict[str, Scan], engine: str, key: str) -> None:
    columns = weak_scans[engine].columns()
    assert key in columns, f"{key} not reported on {engine}"
    item = columns[key]
    kind, category, state = EXPECTED_COLUMNS[key]
    assert (item["kind"], item["category"], item["protection"]["state"]) == (kind, category, state)
    assert item["protection"]["evidence"]["id"] and item["protection"]["evidence"]["en"]
    assert item["sensitivity"] == item["category"]


@pytest.mark.parametrize("engine", ENGINES)
def test_numeric_nik_columns_are_sampled(weak_scans: dict[str, Scan], engine: str) -> None:
    columns = weak_scans[engine].columns()
    for key in ("pegawai.c_17", "pegawai.fld_x"):
        assert columns[key]["confidence"] == "high"
        assert columns[key]["name_hit"] is False
        assert columns[key]["match_ratio"] >= 0.9


@pytest.mark.parametrize("engine", ENGINES)
def test_child_data_from_nik_birth_date(weak_scans: dict[str, Scan], engine: str) -> None:
    patients = weak_scans[engine].columns()["pasien.nik"]
    assert patients["child_data"] is True and patients["minor_count"] > 0
    assert "data-anak:nik-birth-date" in patients["category_basis"]
    staff = weak_scans[engine].columns()["pegawai.nik"]
    assert staff["child_data"] is False and staff["category"] == "general"


@pytest.mark.parametrize("engine", ENGINES)
def test_credentials(weak_scans: dict[str, Scan], engine: str) -> None:
    creds = weak_scans[engine].credentials()
    for key, state in EXPECTED_CREDENTIALS.items():
        assert creds[key]["purpose"] == "password"
        assert creds[key]["protection"]["state"] == state, key


@pytest.mark.parametrize("engine", ENGINES)
def test_no_unmasked_personal_values(weak_scans: dict[str, Scan], engine: str) -> None:
    scan = weak_scans[engine]
    assert unmasked_values(scan.data) == []
    # evidence and messages only: fingerprints are hex digests, which can hold long digit runs
    assert unmasked_values([(f.evidence, f.message, f.item_key) for f in scan.result.findings]) == []
    for item in scan.data["columns"]:
        for example in item["masked_examples"]:
            assert "*" in example or "…" in example


@pytest.mark.parametrize("engine", ENGINES)
def test_personal_data_rules_fire(weak_scans: dict[str, Scan], engine: str) -> None:
    scan = weak_scans[engine]
    assert {"kunjungan.diagnosa", "pasien.nik", "pegawai.gaji"} <= scan.keys("PND-DB-001")
    assert {"pegawai.nik", "pegawai.c_17", "pegawai.fld_x", "pegawai.no_hp"} <= scan.keys("PND-DB-002")
    assert "pegawai.nama_lengkap" in scan.keys("PND-DB-003")
    assert scan.keys("PND-DB-004") == {"pegawai.nik_hash"}
    assert scan.keys("PND-DB-005") == {"pengguna_lama.password"}
    assert scan.keys("PND-DB-006") == {"operator.kata_sandi"}
    protected = {"pegawai.nik_enkripsi", "pegawai.npwp_enkripsi", "pegawai.nik_samaran", "pegawai.ref_nik",
                 "kunjungan.diagnosa_enc"}
    flagged = scan.keys("PND-DB-001") | scan.keys("PND-DB-002") | scan.keys("PND-DB-003")
    assert not protected & flagged
    specific = next(f for f in scan.result.findings if f.item_key == "pasien.nik" and f.rule_id == "PND-DB-001")
    assert specific.sensitivity == "specific"
    assert specific.references[0] == "permenkominfo-20-2016:15(2)"


def test_sampling_is_bounded(weak_scans: dict[str, Scan]) -> None:
    for scan in weak_scans.values():
        for table in scan.data["tables"]:
            assert table["sampled_rows"] <= 150


@pytest.mark.parametrize("engine", ENGINES)
def test_every_rule_evaluates_on_real_facts(weak_scans: dict[str, Scan], engine: str) -> None:
    result = weak_scans[engine].result
    assert [e.message for e in result.evaluation_errors] == []
    database_rules = {r.id for r in RULES.rules if r.probe == "database"}
    assert database_rules <= set(result.evaluated_rules)
