"""Shared helpers for the database-probe tests: scan a target with the real probe and rules."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import create_engine, text

from fixtures.db.servers import ADMIN, DbServer
from scanner.judging.rules import RuleSet, load_rules
from scanner.model import Exposure, Facts, ScanResult, Target
from scanner.pii import is_valid_nik, is_valid_phone, mask
from scanner.probes.base import ProbeContext
from scanner.probes.database.probe import DatabaseProbe
from scanner.running.scan import new_scan, scan
from scanner.targets import parse_target

RULES: RuleSet = load_rules()

# key -> (kind, category, protection state) expected on every engine after fixtures.db.seed
EXPECTED_COLUMNS: dict[str, tuple[str, str, str]] = {
    "pegawai.nik": ("nik", "general", "plaintext"),
    "pegawai.no_kk": ("kk", "general", "plaintext"),
    "pegawai.nip": ("nip", "general", "plaintext"),
    "pegawai.no_hp": ("phone", "general", "plaintext"),
    "pegawai.email": ("email", "general", "plaintext"),
    "pegawai.nama_lengkap": ("name", "general", "plaintext"),
    "pegawai.gaji": ("financial", "specific", "plaintext"),
    "pegawai.c_17": ("nik", "general", "plaintext"),
    "pegawai.fld_x": ("nik", "general", "plaintext"),
    "pegawai.nik_enkripsi": ("nik", "general", "encrypted"),
    "pegawai.npwp_enkripsi": ("npwp", "general", "encrypted"),
    "pegawai.nik_hash": ("nik", "general", "hashed-weak"),
    "pegawai.nik_samaran": ("nik", "general", "masked"),
    "pegawai.ref_nik": ("nik", "general", "tokenised"),
    "pasien.nik": ("nik", "specific", "plaintext"),  # a third of the patients are children
    "pasien.no_hp": ("phone", "general", "plaintext"),
    "kunjungan.diagnosa": ("health", "specific", "plaintext"),
    "kunjungan.diagnosa_enc": ("health", "specific", "encrypted"),
}
EXPECTED_CREDENTIALS: dict[str, str] = {
    "pengguna.password": "hashed-strong",
    "pengguna_lama.password": "hashed-weak",
    "operator.kata_sandi": "plaintext",
}


@dataclass
class Scan:
    result: ScanResult
    facts: Facts

    @property
    def data(self) -> dict:
        return self.facts.data

    def rule_ids(self) -> set[str]:
        return {f.rule_id for f in self.result.findings}

    def keys(self, rule_id: str) -> set[str]:
        return {f.item_key for f in self.result.findings if f.rule_id == rule_id}

    def columns(self) -> dict[str, dict]:
        return {c["key"]: c for c in self.data.get("columns", [])}

    def credentials(self) -> dict[str, dict]:
        return {c["key"]: c for c in self.data.get("credentials", [])}


def scheme(server: DbServer) -> str:
    return "postgresql" if server.engine == "postgresql" else "mariadb"


def target_for(server: DbServer, user: str = "pindai_admin", password: str | None = None,
               exposure: Exposure = Exposure.INTERNAL) -> Target:
    secret = server.users.get(user, "") if password is None else password
    auth = f"{user}:{secret}@" if secret else f"{user}@"
    url = f"{scheme(server)}://{auth}127.0.0.1:{server.port}/{server.database}?{server.scan_query}"
    return parse_target(url, exposure=exposure, options={"sample_rows": 150, "sample_seed": 1})


def run_scan(target: Target) -> Scan:
    result = scan(new_scan([target], RULES), [DatabaseProbe()], RULES, ProbeContext())
    facts = next(f for f in result.facts if f.probe == "database")
    return Scan(result, facts)


def unmasked_values(obj: object) -> list[str]:
    """Digit runs in the serialised facts/findings that validate as a NIK or phone number.

    Returned *masked* so that a failing assertion never prints a personal value.
    """
    text = json.dumps(obj, default=str)
    runs = re.findall(r"(?<!\d)(?:\+?62|0)?\d{9,18}(?!\d)", text)
    return [mask("nik", r) for r in runs if is_valid_nik(r) or (len(r) >= 10 and is_valid_phone(r))]


def new_database(server: DbServer, name: str, statements: list[str],
                 fill: Callable[[str], None] | None = None) -> str:
    """Create database ``name`` on ``server``, run ``statements`` (and ``fill(url)``); return a scan URL."""
    admin_db = "postgres" if server.engine == "postgresql" else "mysql"
    query = "sslmode=require" if server.tls and server.engine == "postgresql" else ""
    admin = create_engine(server.url(database=admin_db, with_password=True, query=query),
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    url = server.url(database=name, with_password=True, query=query)
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        for sql in statements:
            conn.execute(text(sql))
    engine.dispose()
    if fill is not None:
        fill(url)
    return f"{scheme(server)}://{ADMIN}:{server.admin_password}@127.0.0.1:{server.port}/{name}?{server.scan_query}"
