"""A password written inside a database URL logs in, then appears nowhere: not in the target id,
fingerprints, messages, report files, standard output/error or store rows. A password inside
``--store URL`` is never echoed in errors. Real PostgreSQL (the weak server asks for md5)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text

from fixtures.db.servers import DbServer
from scanner.model import TargetKind
from scanner.targets import parse_target

ROOT = Path(__file__).resolve().parents[3]
PINDAI = str(ROOT / ".venv" / "bin" / "pindai")
USER = "pindai_url_uji"
SECRET = "Ra:h@si/a%25&x#y?z=Kanari"  # every character that needs percent-encoding in a URL


@pytest.fixture(scope="module")
def pg_user(pg_weak: DbServer) -> DbServer:
    """A login role whose password needs percent-encoding; md5 authentication on 127.0.0.1."""
    engine = create_engine(pg_weak.url(with_password=True))
    with engine.begin() as conn:
        conn.execute(text(f"DROP ROLE IF EXISTS {USER}"))
        conn.execute(text(f"CREATE ROLE {USER} LOGIN PASSWORD '{SECRET}'"))  # DDL takes no parameters
        conn.execute(text(f"GRANT CONNECT ON DATABASE {pg_weak.database} TO {USER}"))
    engine.dispose()
    return pg_weak


def _forms(secret: str) -> list[str]:
    return sorted({secret, quote(secret, safe=""), quote(secret), "Kanari"})


def _scan(tmp_path: Path, url: str) -> tuple[subprocess.CompletedProcess[str], str, Path]:
    out = tmp_path / "hasil.json"
    store = tmp_path / "riwayat.db"
    args = [PINDAI, "-v", "scan", url, "--json", str(out), "--sarif", str(tmp_path / "hasil.sarif"),
            "--csv", str(tmp_path / "hasil.csv"), "--markdown", str(tmp_path / "hasil.md")]
    done = subprocess.run(args, capture_output=True, text=True, timeout=150,
                          env=dict(os.environ, PINDAI_STORE=f"sqlite:///{store}", COLUMNS="400"))
    outputs = "\n".join(p.read_text(encoding="utf-8") for p in tmp_path.glob("hasil.*"))
    return done, outputs, store


def _store_text(store: Path) -> str:
    with sqlite3.connect(store) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return "\n".join(repr(row) for t in tables for row in db.execute(f'SELECT * FROM "{t}"'))


@pytest.mark.parametrize("spelling", ["userinfo", "query"])
def test_inline_password_logs_in_and_leaves_no_trace(pg_user: DbServer, tmp_path: Path, spelling: str) -> None:
    encoded = quote(SECRET, safe="")
    base = f"127.0.0.1:{pg_user.port}/{pg_user.database}"
    url = (f"postgresql://{USER}:{encoded}@{base}?sslmode=disable" if spelling == "userinfo"
           else f"postgresql://{USER}@{base}?password={encoded}&sslmode=disable")
    done, outputs, store = _scan(tmp_path, url)
    assert '"probe": "database"' in outputs and '"status": "ok"' in outputs, done.stderr[-2000:]
    assert "authentication failed" not in outputs  # the once-decoded password logged in
    everything = "\n".join([outputs, done.stdout, done.stderr, _store_text(store)])
    assert f"postgresql://{USER}@{base}?sslmode=disable" in everything  # the target id, without the password
    leaked = [form for form in _forms(SECRET) if form in everything]
    assert leaked == [], "the database password appears in an output"


def test_target_id_and_fingerprint_do_not_depend_on_the_password() -> None:
    a = parse_target("postgresql://u:Rahasia%40Satu@db.example:5432/app?sslmode=require")
    b = parse_target("postgresql://u@db.example:5432/app?password=Lain&sslmode=require")
    assert a.kind is TargetKind.DATABASE
    assert a.id == b.id == "postgresql://u@db.example:5432/app?sslmode=require"
    assert a.password == "Rahasia@Satu" and b.password == "Lain"
    assert "Rahasia" not in repr(a) and "Rahasia" not in str(a.to_dict())


def test_store_url_password_is_never_echoed(tmp_path: Path) -> None:
    """An unreachable PostgreSQL store: the error names the store, without its password."""
    url = f"postgresql://pindai:{quote(SECRET, safe='')}@127.0.0.1:1/riwayat?connect_timeout=2"
    done = subprocess.run([PINDAI, "history", "--store", url], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert "127.0.0.1" in done.stderr
    assert [form for form in _forms(SECRET) if form in done.stdout + done.stderr] == []
    bad = f"postgresql://pindai@127.0.0.1:1/riwayat?password={quote(SECRET, safe='')}&connect_timeout=2"
    done = subprocess.run([PINDAI, "history", "--store", bad], capture_output=True, text=True, timeout=60)
    assert [form for form in _forms(SECRET) if form in done.stdout + done.stderr] == []
