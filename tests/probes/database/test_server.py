"""Server hardening facts and findings: weak vs hardened PostgreSQL and MariaDB."""

from __future__ import annotations

from fixtures.db.servers import LIMITED, DbServer
from scanner.model import Exposure
from tests.probes.database.helpers import Scan, run_scan, target_for

SERVER_RULES = {f"PND-DB-{n:03d}" for n in range(7, 24)}


def test_pg_weak_facts(weak_scans: dict[str, Scan]) -> None:
    server = weak_scans["postgresql"].data["server"]
    assert server["settings"]["ssl"] == "off"
    assert server["settings"]["password_encryption"] == "md5"
    assert server["session_tls"]["encrypted"] is False
    assert server["plaintext_connection"]["accepted"] is True
    methods = {(r["type"], r["auth_method"]) for r in server["hba_rules"]["rules"]}
    assert {("local", "trust"), ("host", "md5"), ("host", "password"), ("hostnossl", "trust")} <= methods
    assert server["roles"]["login_superuser_count"] == 4
    grants = {g["table"]: g for g in server["public_grants"]["grants"]}
    assert grants["pasien"]["personal_data"] is True and grants["pasien"]["sensitivity"] == "specific"
    assert grants["ref_unit"]["personal_data"] is False


def test_pg_weak_findings(weak_scans: dict[str, Scan]) -> None:
    scan = weak_scans["postgresql"]
    fired = scan.rule_ids()
    assert {"PND-DB-007", "PND-DB-009", "PND-DB-010", "PND-DB-011", "PND-DB-012", "PND-DB-018", "PND-DB-019",
            "PND-DB-020"} <= fired
    assert "PND-DB-008" not in fired  # TLS is off altogether: reported once, by PND-DB-007
    assert scan.keys("PND-DB-019") == {"pasien"}
    assert scan.keys("PND-DB-009") == {"line-1", "line-5"}


def test_pg_hardened(hardened_scans: dict[str, Scan]) -> None:
    scan = hardened_scans["postgresql"]
    server = scan.data["server"]
    assert server["settings"]["ssl"] == "on"
    assert server["session_tls"]["encrypted"] is True
    assert server["plaintext_connection"] == {**server["plaintext_connection"], "status": "ok", "accepted": False}
    assert server["password_storage"]["status"] == "ok"
    assert {r["storage"] for r in server["password_storage"]["roles"]} <= {"scram-sha-256", "none"}
    assert not (scan.rule_ids() & SERVER_RULES), scan.rule_ids() & SERVER_RULES
    assert "PND-DB-001" in scan.rule_ids()  # the data is still plaintext


def test_maria_weak(weak_scans: dict[str, Scan]) -> None:
    scan = weak_scans["mariadb"]
    server = scan.data["server"]
    assert server["variables"]["require_secure_transport"] == "OFF"
    assert server["variables"]["local_infile"] == "ON"
    assert server["plaintext_connection"]["accepted"] is True
    accounts = {a["account"]: a for a in server["accounts"]["accounts"]}
    assert accounts["''@'localhost'"]["anonymous"] is True
    assert accounts["'tamu'@'%'"]["empty_password"] is True
    assert accounts["'root'@'localhost'"]["empty_password"] is False  # unix_socket alternative
    assert accounts["'mariadb.sys'@'localhost'"]["locked"] is True
    assert "test" in server["test_databases"]["databases"]
    fired = scan.rule_ids()
    assert {"PND-DB-007", "PND-DB-013", "PND-DB-014", "PND-DB-015", "PND-DB-016", "PND-DB-017"} <= fired
    assert scan.keys("PND-DB-014") == {"'tamu'@'%'"}
    assert scan.keys("PND-DB-015") == {"'root'@'%'"}
    assert {"''@'localhost'", "''@'%'"} <= scan.keys("PND-DB-013")


def test_maria_hardened(hardened_scans: dict[str, Scan]) -> None:
    scan = hardened_scans["mariadb"]
    server = scan.data["server"]
    assert server["variables"]["require_secure_transport"] == "ON"
    assert server["variables"]["have_ssl"] == "YES"
    assert server["session_tls"]["encrypted"] is True
    assert server["plaintext_connection"]["accepted"] is False
    assert not (scan.rule_ids() & SERVER_RULES), scan.rule_ids() & SERVER_RULES


def test_limited_user_gets_inconclusive_checks_and_scan_continues(pg_weak: DbServer, maria_weak: DbServer) -> None:
    pg = run_scan(target_for(pg_weak, LIMITED))
    assert pg.facts.status == "ok"
    for check in ("hba_rules", "password_storage"):
        assert pg.data["server"][check]["status"] == "inconclusive"
        assert "permission denied" in pg.data["server"][check]["reason"]
    assert pg.data["server"]["settings"]["status"] == "ok"
    assert pg.data["server"]["roles"]["status"] == "ok"
    tables = {t["name"]: t for t in pg.data["tables"]}
    assert tables["pegawai"]["status"] == "inconclusive"  # no SELECT on the table
    assert tables["pasien"]["status"] == "ok"  # readable through the PUBLIC grant
    unread = [x for x in pg.facts.limits if x.code == "database_tables_unread"]  # said aloud: partial
    assert len(unread) == 1 and unread[0].limit == sum(1 for t in tables.values() if t["status"] != "ok")
    name_only = pg.columns()["pegawai.nik"]
    assert name_only["sampled"] is False and name_only["protection"]["state"] == "not-sampled"
    assert "pegawai.nik" not in pg.keys("PND-DB-002")
    assert "PND-DB-001" in pg.rule_ids() and "PND-DB-007" in pg.rule_ids()
    assert "PND-DB-009" not in pg.rule_ids()

    maria = run_scan(target_for(maria_weak, LIMITED))
    assert maria.facts.status == "ok"
    assert maria.data["server"]["accounts"]["status"] == "inconclusive"
    assert maria.data["server"]["variables"]["status"] == "ok"
    assert "PND-DB-002" in maria.rule_ids() and "PND-DB-017" in maria.rule_ids()


def test_bad_password_is_inconclusive_without_leaking_it(pg_weak: DbServer, maria_weak: DbServer) -> None:
    for server in (pg_weak, maria_weak):
        scan = run_scan(target_for(server, password="Salah-Sandi-9876"))
        assert scan.facts.status == "inconclusive"
        assert "authentication failed" in scan.facts.reason
        assert "Salah-Sandi-9876" not in scan.facts.reason
        assert "Salah-Sandi-9876" not in str(scan.result.to_dict())


def test_unreachable_server_is_inconclusive(pg_weak: DbServer) -> None:
    from fixtures.db.servers import free_port
    from scanner.targets import parse_target

    target = parse_target(f"postgresql://pindai:rahasia@127.0.0.1:{free_port()}/simpeg")
    scan = run_scan(target)
    assert scan.facts.status == "inconclusive"
    assert "cannot connect" in scan.facts.reason and "rahasia" not in scan.facts.reason


def test_exposure_selects_listen_rule(pg_weak: DbServer) -> None:
    scan = run_scan(target_for(pg_weak, exposure=Exposure.INTERNET))
    assert scan.data["server"]["settings"]["listen_addresses"] == "127.0.0.1"
    assert not {"PND-DB-021", "PND-DB-022"} & scan.rule_ids()


def test_rules_evaluate_on_hardened_facts(hardened_scans: dict[str, Scan]) -> None:
    for scan in hardened_scans.values():
        assert [e.message for e in scan.result.evaluation_errors] == []


def test_single_connection_politeness_does_not_deadlock(pg_hardened: DbServer) -> None:
    from scanner.probes.base import ProbeContext
    from scanner.probes.database.probe import DatabaseProbe
    from scanner.running.politeness import HostGate, PolitenessPolicy

    gate = HostGate(PolitenessPolicy(per_host_concurrency=1, requests_per_second=50, timeout_s=5))
    facts = DatabaseProbe().run(target_for(pg_hardened), ProbeContext(gate=gate))
    assert facts["server"]["plaintext_connection"]["accepted"] is False
    assert list(gate.connections.values()) == [2]  # one service (host and port), two connections


def test_real_server_versions_get_an_eol_lookup(weak_scans: dict[str, Scan]) -> None:
    """Debian 12's PostgreSQL and MariaDB report their own versions; both series are supported."""
    for engine, product in (("postgresql", "postgresql"), ("mariadb", "mariadb")):
        scan = weak_scans[engine]
        (item,) = scan.data["software"]["items"]
        assert item["product"] == product and item["confidence"] == "high"
        assert item["version"] in scan.data["server_version"]
        assert item["eol"] is not None and item["eol"]["cycle"] == ".".join(item["version"].split(".")[: len(
            item["eol"]["cycle"].split("."))])
        assert ("PND-DB-030" in scan.rule_ids()) == (item["eol"]["status"] == "ended")
