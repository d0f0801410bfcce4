"""The fixture Dukcapil API on 127.0.0.1 and the scan targets used by the auth-probe tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from fixtures.api import KEYS, LOGIN_PASSWORD, LOGIN_USER, mint_token, start_api
from fixtures.synthetic import CANARY_NIK
from scanner.judging.rules import RuleSet, load_rules
from scanner.model import Target, TargetKind
from scanner.probes.base import ProbeContext
from scanner.running.politeness import HostGate, PolitenessPolicy
from scanner.running.scope import Scope

ENV = {
    "PINDAI_TEST_RS_TOKEN": lambda: mint_token("rs"),
    "PINDAI_TEST_HS_TOKEN": lambda: mint_token("hs-strong"),
    "PINDAI_TEST_WEAK_TOKEN": lambda: mint_token("hs-weak", lifetime=None, nik=CANARY_NIK),
    "PINDAI_TEST_LOGIN_PASSWORD": lambda: LOGIN_PASSWORD,
}


@dataclass
class Api:
    base: str
    public_key: Path
    secrets: dict[str, str]


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    base, stop = start_api()
    key = tmp_path_factory.mktemp("keys") / "public.pem"
    key.write_bytes(KEYS.public_pem)
    values = {name: make() for name, make in ENV.items()}
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield Api(base, key, values)
    finally:
        stop()
        for name, old in saved.items():
            if old is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = old


@cache
def shipped_rules() -> RuleSet:
    """The shipped rule packs, loaded once (compiling every pack's CEL takes seconds)."""
    return load_rules()


def context() -> ProbeContext:
    """Loopback only, fast but still gated."""
    return ProbeContext(gate=HostGate(PolitenessPolicy(per_host_concurrency=4, requests_per_second=200,
                                                        timeout_s=5)), scope=Scope(("127.0.0.1",)))


def target(location: str, auth: dict[str, object], name: str = "") -> Target:
    return Target(TargetKind.URL, location, agency="Dinas Dukcapil Kota Contoh", name=name, options={"auth": auth})


def targets(api: Api) -> dict[str, Target]:
    """Every fixture scenario, keyed by a short name."""
    b = api.base
    return {
        "rs": target(b + "/api/", {
            "bearer_env": "PINDAI_TEST_RS_TOKEN", "public_key_file": str(api.public_key),
            "endpoints": [{"url": "/api/v1/penduduk", "marker": "petugas-01"}, {"url": "/api/public/penduduk"},
                          {"url": "/api/legacy/keluarga"}, {"url": "/api/v2/keluarga"},
                          {"url": "/api/legacy/pengaduan"}]}),
        "strong": target(b + "/api/v1/dokumen", {"bearer_env": "PINDAI_TEST_HS_TOKEN"}),
        "mobile": target(b + "/mobile/", {"bearer_env": "PINDAI_TEST_WEAK_TOKEN",
                                          "endpoints": [{"url": "/mobile/api/profil"}]}),
        "login": target(b + "/login", {
            "login": {"url": "/login", "user": LOGIN_USER, "password_env": "PINDAI_TEST_LOGIN_PASSWORD",
                      "success_marker": "Selamat datang"},
            "login_rate_limit_attempts": 5, "endpoints": [{"url": "/portal/api/dasbor"}]}),
        "openapi": target(b + "/", {"bearer_env": "PINDAI_TEST_RS_TOKEN", "openapi": "/openapi.json",
                                    "public_key_file": str(api.public_key)}),
    }
