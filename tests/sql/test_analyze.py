"""analyze_sql on pg_dump, mysqldump and migration text; values are only ever masked."""

from __future__ import annotations

import json
import re

from fixtures.db.make_dump import OUT as SAMPLE_DUMP
from fixtures.db.make_dump import render
from fixtures.synthetic.provider import IndonesianIdentityProvider
from scanner.pii import is_valid_nik, is_valid_phone, mask
from scanner.sql.analyze import analyze_sql
from scanner.sql.lexer import split_statements, value_tuples


def _fake():  # type: ignore[no-untyped-def]
    from faker import Faker

    fake = Faker("id_ID")
    fake.add_provider(IndonesianIdentityProvider)
    fake.seed_instance(5)
    return fake


def _unmasked(obj: object) -> list[str]:
    runs = re.findall(r"(?<!\d)\d{10,18}(?!\d)", json.dumps(obj))
    return [mask("nik", r) for r in runs if is_valid_nik(r) or is_valid_phone(r)]  # masked: safe to print


def _mysql_dump() -> str:
    fake = _fake()
    rows = ",\n".join(
        f"({i},{fake.nik()},'{fake.name().replace(chr(39), chr(39) * 2)}','{fake.phone_id()}',"
        f"'I10 Hipertensi esensial','{'anak' if i % 2 else 'dewasa'}')"
        for i in range(1, 31)
    )
    return f"""-- MariaDB dump 10.19
/*!40101 SET NAMES utf8mb4 */;
DROP TABLE IF EXISTS `penduduk`;
CREATE TABLE `penduduk` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `nik` decimal(16,0) NOT NULL COMMENT 'nomor; induk',
  `nama` varchar(100) DEFAULT NULL,
  `telepon` varchar(20) DEFAULT NULL,
  `diagnosa` text,
  `kategori` varchar(10),
  PRIMARY KEY (`id`),
  KEY `idx_nik` (`nik`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
LOCK TABLES `penduduk` WRITE;
INSERT INTO `penduduk` VALUES {rows};
UNLOCK TABLES;
CREATE TABLE `users` (`id` int, `username` varchar(40), `password` varchar(64));
INSERT INTO `users` (`id`, `username`, `password`) VALUES (1,'admin',md5('admin123')),(2,'op',MD5('op;2024')),
  (3,'x',md5('it\\'s'));
CREATE TABLE `operator` (`id` int, `pin` varchar(10));
INSERT INTO `operator` VALUES (1,'rahasia1'),(2,'qwerty12'),(3,'admin'),(4,'puskesmas');
"""


def test_sample_dump_columns() -> None:
    facts = analyze_sql(SAMPLE_DUMP.read_text(encoding="utf-8"), str(SAMPLE_DUMP))
    cols = {c["key"]: c for c in facts["columns"]}
    assert facts["dialect"] == "postgresql"
    assert facts["copy_blocks"] == 1 and facts["rows"]["copy"] == 40
    expected = {
        "public.pegawai.nik": ("nik", "general", "plaintext"),
        "public.pegawai.c_17": ("nik", "general", "plaintext"),
        "public.pegawai.no_hp": ("phone", "general", "plaintext"),
        "public.pegawai.nik_enkripsi": ("nik", "general", "encrypted"),
        "public.pegawai.nik_samaran": ("nik", "general", "masked"),
        "public.pasien.nik": ("nik", "specific", "plaintext"),
        "public.kunjungan.diagnosa": ("health", "specific", "plaintext"),
    }
    for key, (kind, category, state) in expected.items():
        item = cols[key]
        assert (item["kind"], item["category"], item["protection"]["state"]) == (kind, category, state), key
        assert item["has_values"] is True and item["line"] > 0
    assert cols["public.pasien.nik"]["child_data"] is True
    creds = {c["key"]: c["protection"]["state"] for c in facts["credentials"]}
    assert creds == {"public.pengguna.password": "hashed-strong", "public.pengguna_lama.password": "hashed-weak"}
    public = [g for g in facts["grants"] if g["to_public"]]
    assert [(g["object"], g["privileges"]) for g in public] == [("public.pasien", ["SELECT"])]
    assert _unmasked(facts) == []


def test_mysql_dump() -> None:
    facts = analyze_sql(_mysql_dump(), "dump.sql")
    assert facts["dialect"] == "mysql"
    cols = {c["key"]: c for c in facts["columns"]}
    nik = cols["penduduk.nik"]
    assert nik["type"] == "decimal(16,0)"
    assert (nik["kind"], nik["protection"]["state"], nik["confidence"]) == ("nik", "plaintext", "high")
    assert cols["penduduk.telepon"]["kind"] == "phone"
    assert cols["penduduk.diagnosa"]["category"] == "specific"
    assert "penduduk.kategori" not in cols
    creds = {c["key"]: c for c in facts["credentials"]}
    users = creds["users.password"]["protection"]
    assert users["state"] == "hashed-weak" and users["scheme"] == "sql:md5" and users["input_in_file"] is True
    assert creds["operator.pin"]["protection"]["state"] in ("unknown", "plaintext")
    assert _unmasked(facts) == []


def test_migration_without_values() -> None:
    migration = """
    CREATE TABLE IF NOT EXISTS rekam_medis (
        id BIGSERIAL PRIMARY KEY,
        nik VARCHAR(16) NOT NULL,
        diagnosa TEXT,
        CONSTRAINT fk FOREIGN KEY (id) REFERENCES x(id)
    );
    GRANT ALL ON rekam_medis TO PUBLIC;
    """
    facts = analyze_sql(migration, "database/migrations/2024_01_01_create_rekam_medis.sql")
    cols = {c["key"]: c for c in facts["columns"]}
    assert set(cols) == {"rekam_medis.nik", "rekam_medis.diagnosa"}
    assert cols["rekam_medis.diagnosa"]["has_values"] is False
    assert cols["rekam_medis.diagnosa"]["protection"]["state"] == "not-sampled"
    assert facts["grants"][0]["to_public"] is True and facts["grants"][0]["line"] == 8


def test_split_statements_respects_quotes_comments_and_dollar_bodies() -> None:
    text = ("INSERT INTO t VALUES ('a;b', 'it''s; x', 'c\\';d');\n-- comment; here\n"
            "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\n/* x; y */ SELECT 2;")
    parts = [s.strip() for _, s in split_statements(text)]
    assert len(parts) == 3
    assert parts[0].endswith("'c\\';d');")


def test_value_tuples() -> None:
    rows = value_tuples("(1, 'a''b', NULL, -2.5, X'ff00', _binary 0x6869, now(), 'x'::text), (2,'\\n')")
    assert rows[0] == [1, "a'b", None, "-2.5", b"\xff\x00", b"hi", rows[0][6], "x"]
    assert rows[1] == [2, "\n"]


def test_large_dump_is_bounded() -> None:
    """Speed is measured in bench/, not here; this checks that sampling stays bounded."""
    text = render(1500)
    facts = analyze_sql(text, "big.sql", sample_rows=100)
    assert facts["rows"]["copy"] == 1500
    assert all(c["sample_size"] <= 100 for c in facts["columns"])


def test_empty_and_garbage_input() -> None:
    assert analyze_sql("", "empty.sql")["statements"] == 0
    facts = analyze_sql("this is not SQL at all; INSERT INTO ; GRANT ;", "junk.sql")
    assert facts["columns"] == [] and facts["grants"] == []


def test_dump_values_are_judged_by_the_column_classifier() -> None:
    """Names, local-layout birth dates, KK numbers and free text under obfuscated names, as in a database."""
    from datetime import date, timedelta

    from fixtures.synthetic import make_faker

    fake = make_faker(11)
    rows = []
    for i in range(40):
        born = fake.date_of_birth(minimum_age=20, maximum_age=70).strftime("%d-%m-%Y")
        kk = fake.no_kk(issue_date=date(2019, 1, 1) + timedelta(days=20 * i))
        text = f"Mohon dicek NIK {fake.nik()} belum terdaftar" if i % 3 == 0 else "Jalan rusak di depan sekolah"
        rows.append(f"({i}, '{fake.first_name()} {fake.last_name()}', '{born}', '{kk}', '{text}')")
    dump = "CREATE TABLE t (id INT, k1 VARCHAR(80), k2 VARCHAR(10), k3 CHAR(16), k4 TEXT);\n" \
           f"INSERT INTO t (id, k1, k2, k3, k4) VALUES {', '.join(rows)};\n"
    facts = analyze_sql(dump, "dump.sql")
    kinds = {c["column"]: (c["kind"], c["category"]) for c in facts["columns"]}
    assert kinds == {"k1": ("name", "general"), "k2": ("birth_date", "general"), "k3": ("kk", "general"),
                     "k4": ("free_text", "general")}
    assert not any(r.split("'")[1] in str(facts) for r in rows)


def test_a_column_points_at_the_line_holding_its_data() -> None:
    """The finding's line is where the personal data is written (the INSERT), not the CREATE TABLE."""
    dump = _mysql_dump()
    facts = analyze_sql(dump, "dump.sql")
    lines = dump.splitlines()
    nik = next(c for c in facts["columns"] if c["key"] == "penduduk.nik")
    assert lines[nik["line"] - 1].startswith("INSERT INTO `penduduk`")
    table = next(t for t in facts["tables"] if t["name"] == "penduduk")
    assert lines[table["line"] - 1].startswith("CREATE TABLE `penduduk`")
