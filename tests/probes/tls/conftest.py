"""Fixtures: a test PKI and real TLS servers on 127.0.0.1 (openssl s_server, nginx)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scanner.model import Target, TargetKind
from scanner.probes.base import ProbeContext
from scanner.probes.tls.probe import TlsProbe
from scanner.running.politeness import HostGate, PolitenessPolicy
from tests.probes.tls.pki import Pki, leaf_variants, make_pki
from tests.probes.tls.servers import NGINX, OPENSSL, Server, nginx_pair, s_server

LEGACY = ("-cipher", "ALL:COMPLEMENTOFALL:@SECLEVEL=0")
CONFIGS: dict[str, tuple[str, ...]] = {
    "legacy": LEGACY,
    "modern12": ("-tls1_2", "-cipher", "ECDHE+AESGCM:ECDHE+CHACHA20", "-serverpref"),
    "tls13only": ("-tls1_3",),
    "default": (),
}


def make_ctx() -> ProbeContext:
    """Politeness as in production (5 per host) but no rate limit on loopback."""
    return ProbeContext(gate=HostGate(PolitenessPolicy(per_host_concurrency=5, requests_per_second=0)))


def scan(server: Server, **options: Any) -> dict[str, Any]:
    if server.ca_file and "ca_file" not in options:
        options["ca_file"] = server.ca_file
    target = Target(TargetKind.URL, server.url, options=options)
    return TlsProbe().run(target, make_ctx())


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="session")
def leaves(pki: Pki) -> dict[str, tuple[Path, Path, Path | None]]:
    out = {}
    for name, (leaf, chain) in leaf_variants(pki).items():
        out[name] = pki.write(name, leaf, chain)
    return out


@pytest.fixture(scope="session")
def servers(pki: Pki, leaves: dict[str, tuple[Path, Path, Path | None]]) -> Iterator[dict[str, Server]]:
    """Protocol configs (good certificate) and certificate variants (default protocols)."""
    if OPENSSL is None:
        pytest.skip("openssl binary not installed")
    started: dict[str, Server] = {}
    try:
        cert, key, chain = leaves["good"]
        for name, args in CONFIGS.items():
            started[name] = s_server(name, cert, key, *args, chain=chain, ca_file=str(pki.ca_file))
        for name, (cert, key, chain) in leaves.items():
            if name == "good":
                continue
            started[f"cert-{name}"] = s_server(f"cert-{name}", cert, key, *LEGACY, chain=chain,
                                               ca_file=str(pki.ca_file))
        yield started
    finally:
        for srv in started.values():
            srv.stop()


@pytest.fixture(scope="session")
def nginx_servers(tmp_path_factory: pytest.TempPathFactory, pki: Pki,
                  leaves: dict[str, tuple[Path, Path, Path | None]]) -> Iterator[dict[str, Server]]:
    if NGINX is None:
        pytest.skip("nginx not installed")
    cert, key, chain = leaves["good"]
    folder = tmp_path_factory.mktemp("nginx")
    fullchain = folder / "fullchain.pem"
    fullchain.write_bytes(cert.read_bytes() + (chain.read_bytes() if chain else b""))
    try:
        modern, legacy = nginx_pair(folder, fullchain, key)
    except (RuntimeError, OSError) as exc:
        pytest.skip(f"nginx could not start: {exc}")
    modern.ca_file = legacy.ca_file = str(pki.ca_file)
    try:
        yield {"nginx-modern": modern, "nginx-legacy": legacy}
    finally:
        modern.stop()


@pytest.fixture(scope="session")
def scans(servers: dict[str, Server]) -> dict[str, dict[str, Any]]:
    """One probe run per protocol config, shared by the tests."""
    return {name: scan(servers[name]) for name in CONFIGS}
