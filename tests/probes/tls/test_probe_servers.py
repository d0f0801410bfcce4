"""The probe against real local servers (openssl s_server, nginx)."""

from __future__ import annotations

import json
import socket
import subprocess
import time
from typing import Any

import pytest

from scanner.model import Target, TargetKind
from scanner.probes.base import ProbeContext, ProbeInconclusive
from scanner.probes.tls.probe import TlsProbe
from scanner.running.politeness import HostGate, PolitenessPolicy
from tests.probes.tls.conftest import scan
from tests.probes.tls.servers import OPENSSL, Server, free_port


def accepted(facts: dict[str, Any]) -> set[str]:
    return {p["name"] for p in facts["protocols"] if p["accepted"]}


def suite_names(facts: dict[str, Any], protocol: str) -> list[str]:
    return [c["name"] for c in facts["cipher_suites"] if c["protocol"] == protocol]


def test_facts_are_plain_json(scans: dict[str, dict[str, Any]]) -> None:
    for facts in scans.values():
        assert json.loads(json.dumps(facts)) == facts


def test_legacy_server(scans: dict[str, dict[str, Any]]) -> None:
    f = scans["legacy"]
    assert accepted(f) == {"TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"}
    assert all(p["status"] == "ok" for p in f["protocols"])
    tls10 = suite_names(f, "TLSv1.0")
    assert "TLS_RSA_WITH_NULL_SHA" in tls10 and "TLS_DH_anon_WITH_AES_128_CBC_SHA" in tls10
    assert len(suite_names(f, "TLSv1.2")) > 50
    assert set(suite_names(f, "TLSv1.3")) == {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
                                              "TLS_CHACHA20_POLY1305_SHA256"}
    strengths = {c["strength"] for c in f["cipher_suites"]}
    assert {"insecure", "weak", "recommended"} <= strengths
    assert f["server_preference"]["TLSv1.2"] is False
    assert f["fallback_scsv"]["supported"] is True
    assert f["secure_renegotiation"]["supported"] is True
    assert f["compression"]["accepted"] is False
    assert f["heartbleed"]["heartbeat_extension"] is False
    assert f["extended_master_secret"]["supported"] is True
    assert f["dh_param_bits"] and f["dh_param_bits"] >= 2048


def test_modern_tls12_only_with_server_preference(scans: dict[str, dict[str, Any]]) -> None:
    f = scans["modern12"]
    assert accepted(f) == {"TLSv1.2"}
    names = suite_names(f, "TLSv1.2")
    assert set(names) == {"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                          "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"}
    assert f["server_preference"] == {"TLSv1.2": True}
    # server order as configured: ECDHE+AESGCM (256 before 128) then CHACHA20
    assert names[0] == "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"
    assert names[-1] == "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"
    assert all(c["forward_secrecy"] and c["aead"] for c in f["cipher_suites"])
    assert f["fallback_scsv"]["supported"] is None  # one version only
    curves = {g["name"] for g in f["groups"] if g["protocol"] == "TLSv1.2"}
    assert {"x25519", "secp256r1"} <= curves


def test_tls13_only(scans: dict[str, dict[str, Any]]) -> None:
    f = scans["tls13only"]
    assert accepted(f) == {"TLSv1.3"}
    groups = {g["name"] for g in f["groups"]}
    assert {"x25519", "secp256r1", "secp384r1", "ffdhe2048"} <= groups
    assert "X25519MLKEM768" not in groups  # OpenSSL 3.0 has no ML-KEM
    cert = f["certificate"]
    assert cert["status"] == "ok" and cert["source"] == "stdlib-ssl"
    assert cert["trusted"] is True and cert["chain_length"] == 2


def test_connection_budget_and_concurrency(scans: dict[str, dict[str, Any]]) -> None:
    # removal method: far below sslyze's ~580 connections per host
    assert scans["modern12"]["connections"] < 40
    assert scans["legacy"]["connections"] < 200


def test_gate_slot_is_used_for_every_connection(servers: dict[str, Server]) -> None:
    gate = HostGate(PolitenessPolicy(per_host_concurrency=2, requests_per_second=0))
    facts = TlsProbe().run(Target(TargetKind.URL, servers["default"].url), ProbeContext(gate=gate))
    port = servers["default"].url.rsplit(":", 1)[1].strip("/")
    assert gate.connections == {f"127.0.0.1:{port}": facts["connections"]}  # politeness is per service


def test_rtt_scaled_timeout(scans: dict[str, dict[str, Any]]) -> None:
    f = scans["default"]
    assert f["rtt_ms"] < 50 and f["timeout_s"] <= 2.0


def test_unreachable_is_inconclusive() -> None:
    target = Target(TargetKind.URL, f"https://127.0.0.1:{free_port()}/")
    with pytest.raises(ProbeInconclusive):
        TlsProbe().run(target, ProbeContext())


def test_applies_to() -> None:
    probe = TlsProbe()
    assert probe.applies_to(Target(TargetKind.URL, "https://portal.contoh.go.id/"))
    assert not probe.applies_to(Target(TargetKind.URL, "http://portal.contoh.go.id/"))
    assert probe.applies_to(Target(TargetKind.URL, "http://x.go.id/", options={"tls_port": 8443}))
    assert probe.applies_to(Target(TargetKind.DATABASE, "postgresql://db/x", options={"starttls": "postgres"}))


def test_tls_port_option_overrides(servers: dict[str, Server]) -> None:
    target = Target(TargetKind.URL, "https://127.0.0.1/", options={"tls_port": servers["modern12"].port})
    facts = TlsProbe().run(target, ProbeContext(gate=HostGate(PolitenessPolicy(requests_per_second=0))))
    assert facts["port"] == servers["modern12"].port and accepted(facts) == {"TLSv1.2"}


def test_nginx_modern_and_legacy(nginx_servers: dict[str, Server]) -> None:
    modern = scan(nginx_servers["nginx-modern"])
    assert accepted(modern) == {"TLSv1.2", "TLSv1.3"}
    assert len(suite_names(modern, "TLSv1.2")) == 3  # RSA cert: the ECDSA suites cannot be chosen
    assert modern["server_preference"]["TLSv1.2"] is True
    assert modern["certificate"]["trusted"] is True
    legacy = scan(nginx_servers["nginx-legacy"])
    assert accepted(legacy) == {"TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"}
    counts = {p["name"]: p["suite_count"] for p in legacy["protocols"] if p["accepted"]}
    assert counts["TLSv1.3"] == 3 and counts["TLSv1.2"] > counts["TLSv1.0"] > 5



def _ipv6_port() -> int | None:
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
            return int(s.getsockname()[1])
    except OSError:
        return None


def test_ipv6_loopback(leaves: dict[str, Any]) -> None:
    port = _ipv6_port()
    if port is None or OPENSSL is None:
        pytest.skip("::1 or openssl not available")
    cert, key, _ = leaves["good"]
    proc = subprocess.Popen([OPENSSL, "s_server", "-accept", f"[::1]:{port}", "-cert", str(cert), "-key", str(key),
                             "-www", "-quiet", "-naccept", "1000"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("::1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        facts = TlsProbe().run(Target(TargetKind.URL, f"https://[::1]:{port}/"),
                               ProbeContext(gate=HostGate(PolitenessPolicy(requests_per_second=0))))
    finally:
        proc.terminate()
        proc.wait(5)
    assert facts["host"] == "::1" and facts["sni"] is None  # IP literals are never sent as SNI
    assert accepted(facts) == {"TLSv1.2", "TLSv1.3"}
    assert facts["certificate"]["hostname_match"] is False  # SAN has 127.0.0.1, not ::1
