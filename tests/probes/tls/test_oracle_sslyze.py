"""Differential test: our accepted protocols / suites / features against sslyze (test-only
oracle in the separate venv .venv-oracle, see scripts/setup-oracles.sh)."""

from __future__ import annotations

import json
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.probes.tls.conftest import scan
from tests.probes.tls.servers import Server

ROOT = Path(__file__).resolve().parents[3]
ORACLE = ROOT / ".venv-oracle" / "bin" / "python"
pytestmark = pytest.mark.skipif(
    not ORACLE.exists(), reason="sslyze oracle venv missing: run scripts/setup-oracles.sh")

SSLYZE_KEYS = {"ssl_2_0": "SSLv2", "ssl_3_0": "SSLv3", "tls_1_0": "TLSv1.0", "tls_1_1": "TLSv1.1",
               "tls_1_2": "TLSv1.2", "tls_1_3": "TLSv1.3"}
CONFIGS = ["legacy", "modern12", "tls13only", "default", "nginx-modern", "nginx-legacy",
           # certificate variants: legacy suites, other keys (ECDSA, RSA-1024) and chains
           "cert-incomplete", "cert-expired", "cert-expiring", "cert-selfsigned", "cert-wronghost", "cert-rsa1024",
           "cert-sha1", "cert-ecdsa"]


def run_sslyze(port: int, out: Path) -> dict[str, Any]:
    proc = subprocess.run([str(ORACLE), "-m", "sslyze", f"127.0.0.1:{port}", f"--json_out={out}"],
                          capture_output=True, timeout=120)
    if not out.exists():
        raise RuntimeError(f"sslyze failed: {proc.stderr.decode()[-500:]}")
    data = json.loads(out.read_text())
    return dict(data["server_scan_results"][0]["scan_result"])


def _result(res: dict[str, Any], key: str) -> dict[str, Any] | None:
    entry = res.get(key) or {}
    return entry.get("result") if entry.get("status") == "COMPLETED" else None


@pytest.fixture(scope="module")
def pairs(servers: dict[str, Server], nginx_servers: dict[str, Server],
          tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    every = {**servers, **nginx_servers}
    folder = tmp_path_factory.mktemp("sslyze")
    with ThreadPoolExecutor(max_workers=4) as pool:
        futs = {name: pool.submit(run_sslyze, every[name].port, folder / f"{name}.json") for name in CONFIGS}
        oracle = {name: fut.result() for name, fut in futs.items()}
    return {name: (scan(every[name]), oracle[name]) for name in CONFIGS}


@pytest.mark.parametrize("config", CONFIGS)
def test_protocols_and_suites_match_sslyze(pairs: dict[str, tuple[dict[str, Any], dict[str, Any]]],
                                           config: str) -> None:
    ours, theirs = pairs[config]
    our_accepted = {p["name"] for p in ours["protocols"] if p["accepted"]}
    their_accepted = set()
    for key, proto in SSLYZE_KEYS.items():
        result = _result(theirs, f"{key}_cipher_suites")
        assert result is not None, f"sslyze could not test {proto}"
        acc = {c["cipher_suite"]["name"] for c in result["accepted_cipher_suites"]}
        tested = acc | {c["cipher_suite"]["name"] for c in result["rejected_cipher_suites"]}
        if acc:
            their_accepted.add(proto)
        mine = {c["name"] for c in ours["cipher_suites"] if c["protocol"] == proto}
        # compare on the suites sslyze is able to test; we may know more (e.g. ADH-CAMELLIA-SHA256)
        assert mine & tested == acc, (config, proto, sorted(mine & tested ^ acc))
    assert our_accepted == their_accepted


@pytest.mark.parametrize("config", CONFIGS)
def test_features_match_sslyze(pairs: dict[str, tuple[dict[str, Any], dict[str, Any]]], config: str) -> None:
    ours, theirs = pairs[config]
    only13 = {p["name"] for p in ours["protocols"] if p["accepted"]} == {"TLSv1.3"}
    fb = _result(theirs, "tls_fallback_scsv")
    if fb is not None and ours["fallback_scsv"]["supported"] is not None:
        assert ours["fallback_scsv"]["supported"] == fb["supports_fallback_scsv"]
    comp = _result(theirs, "tls_compression")
    if comp is not None:
        assert ours["compression"]["accepted"] == comp["supports_compression"]
    hb = _result(theirs, "heartbleed")
    if hb is not None:
        assert bool(ours["heartbleed"]["overlong_heartbeat_answered"]) == hb["is_vulnerable_to_heartbleed"]
    reneg = _result(theirs, "session_renegotiation")
    if reneg is not None and not only13:
        assert ours["secure_renegotiation"]["supported"] == reneg["supports_secure_renegotiation"]
    ems = _result(theirs, "tls_extended_master_secret")
    if ems is not None and not only13:
        assert ours["extended_master_secret"]["supported"] == ems["supports_ems_extension"]
    curves = _result(theirs, "elliptic_curves")
    if curves is not None and curves.get("supported_curves"):
        top = "TLSv1.3" if any(g["protocol"] == "TLSv1.3" for g in ours["groups"]) else None
        mine = {g["name"].lower() for g in ours["groups"] if top is None or g["protocol"] == top}
        supported = {c["name"].lower() for c in curves["supported_curves"]}
        tested = supported | {c["name"].lower() for c in curves.get("rejected_curves") or []}
        assert mine & tested == supported
    cert = _result(theirs, "certificate_info")
    if cert is not None:
        deployment = cert["certificate_deployments"][0]
        assert ours["certificate"]["chain_length"] == len(deployment["received_certificate_chain"])


def test_connection_counts_vs_sslyze(pairs: dict[str, tuple[dict[str, Any], dict[str, Any]]]) -> None:
    for config, (ours, _) in pairs.items():
        assert ours["connections"] < 200, config  # sslyze needs ~580 per host
