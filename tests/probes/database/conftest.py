"""Session fixtures: private PostgreSQL and MariaDB servers (weak and hardened), seeded once."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from fixtures.db.seed import seed
from fixtures.db.servers import DbServer, ServerStartError, start

ROWS = 300


def _available(engine: str) -> bool:
    if engine == "postgresql":
        return any(Path("/usr/lib/postgresql").glob("*/bin/initdb")) or shutil.which("initdb") is not None
    return shutil.which("mariadbd") is not None or shutil.which("mysqld") is not None


def _prepare(engine: str, profile: str) -> DbServer:
    """Start and seed one server (runs in a worker thread)."""
    server = start(engine, profile)  # type: ignore[arg-type]
    try:
        query = "sslmode=require" if engine == "postgresql" and server.tls else ""
        url = server.url(with_password=True, query=query)
        seed(url, ROWS)
        if engine == "postgresql" and profile == "weak":
            engine_ = create_engine(url)
            with engine_.begin() as conn:
                conn.execute(text("GRANT SELECT ON pasien, ref_unit TO PUBLIC"))
            engine_.dispose()
    except BaseException:
        server.stop()
        raise
    return server


@pytest.fixture(scope="session")
def servers() -> Iterator[dict[tuple[str, str], Future[DbServer]]]:
    """All four servers start in parallel, on first use; each test waits only for the one it needs."""
    pool = ThreadPoolExecutor(max_workers=4)
    futures = {
        (engine, profile): pool.submit(_prepare, engine, profile)
        for engine in ("postgresql", "mariadb") if _available(engine)
        for profile in ("weak", "hardened")
    }
    try:
        yield futures
    finally:
        for future in futures.values():
            try:
                future.result().stop()
            except BaseException:  # a server that failed to start has nothing to stop
                continue
        pool.shutdown()


def _server(servers: dict[tuple[str, str], Future[DbServer]], engine: str, profile: str) -> DbServer:
    if (engine, profile) not in servers:
        pytest.skip(f"{engine} is not installed (scripts/install-system-deps.sh)")
    try:
        return servers[(engine, profile)].result(timeout=180)
    except ServerStartError as exc:
        pytest.fail(f"could not start {engine} ({profile}):\n{exc}")


@pytest.fixture(scope="session")
def pg_weak(servers: dict[tuple[str, str], Future[DbServer]]) -> DbServer:
    return _server(servers, "postgresql", "weak")


@pytest.fixture(scope="session")
def pg_hardened(servers: dict[tuple[str, str], Future[DbServer]]) -> DbServer:
    return _server(servers, "postgresql", "hardened")


@pytest.fixture(scope="session")
def maria_weak(servers: dict[tuple[str, str], Future[DbServer]]) -> DbServer:
    return _server(servers, "mariadb", "weak")


@pytest.fixture(scope="session")
def maria_hardened(servers: dict[tuple[str, str], Future[DbServer]]) -> DbServer:
    return _server(servers, "mariadb", "hardened")


@pytest.fixture(scope="session")
def sqlite_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite") / "simpeg.db"
    seed(f"sqlite:///{path}", ROWS)
    return path


@pytest.fixture(scope="session")
def weak_scans(pg_weak: DbServer, maria_weak: DbServer, sqlite_db: Path) -> dict[str, object]:
    """Admin scans of the three weak databases, keyed by engine."""
    from scanner.targets import parse_target
    from tests.probes.database.helpers import run_scan, target_for

    sqlite_target = parse_target(f"sqlite:///{sqlite_db}", options={"sample_rows": 150})
    return {
        "sqlite": run_scan(sqlite_target),
        "postgresql": run_scan(target_for(pg_weak)),
        "mariadb": run_scan(target_for(maria_weak)),
    }


@pytest.fixture(scope="session")
def hardened_scans(pg_hardened: DbServer, maria_hardened: DbServer) -> dict[str, object]:
    from tests.probes.database.helpers import run_scan, target_for

    return {"postgresql": run_scan(target_for(pg_hardened)), "mariadb": run_scan(target_for(maria_hardened))}
