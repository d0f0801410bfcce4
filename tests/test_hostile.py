"""Whole-scan robustness: hostile peers next to healthy targets in one scan.

One scan (``scanner.running.scan.scan``, every registered probe) covers garbage, truncated TLS,
a silent hang, RST on connect, endless and 1 GiB bodies, a redirect loop, malformed
certificates, denied / wrong-password PostgreSQL logins and a corrupt SQLite file, plus a
clean web portal, a SQL dump and a source tree. Every hostile target must end up as an
inconclusive observation with a clear reason or as conclusive facts that record the
hostility safely; the healthy targets' findings must be the same as when scanned alone.
"""

from __future__ import annotations

import logging
import os
import resource
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from fixtures.hostile import (
    GIB,
    DripServer,
    EndlessBodyServer,
    GarbageServer,
    HangServer,
    HostilePostgres,
    HostileServer,
    HugeBodyServer,
    MalformedCertTlsServer,
    MalformedHttpServer,
    RedirectLoopServer,
    ResetServer,
    TruncatedTlsServer,
)
from fixtures.hostile.db import NO_CONNECT_PASSWORD, WRONG_PASSWORD
from fixtures.web import start_site
from scanner.judging.rules import RuleSet, load_rules
from scanner.model import Exposure, Facts, ScanResult, Target, TargetKind
from scanner.probes import load_probes
from scanner.probes.base import ProbeContext
from scanner.running.politeness import HostGate, PolitenessPolicy
from scanner.running.runner import observe
from scanner.running.scan import new_scan, scan
from scanner.running.scope import Scope

ROOT = Path(__file__).resolve().parent.parent
DUMP = ROOT / "fixtures" / "db" / "sample_dump.sql"
SOURCE = ROOT / "fixtures" / "source" / "clean"
TIMEOUT_S = 3.0  # probe timeout; generous enough for the healthy targets on a loaded CI machine
SCAN_BUDGET_S = 300.0  # a hang detector, not a speed goal: the hostile servers would hold a scan forever
MAX_HTTP_BODY = 2 * 1024 * 1024  # the http probe's documented cap (scanner/probes/http/fetch.py)


def _context() -> ProbeContext:
    policy = PolitenessPolicy(per_host_concurrency=8, requests_per_second=0, timeout_s=TIMEOUT_S)
    return ProbeContext(gate=HostGate(policy), scope=Scope(("127.0.0.1",)))


def _url(server: HostileServer, scheme: str) -> Target:
    # the http twin of an https target is the hostile server itself, never port 80
    return Target(TargetKind.URL, f"{scheme}://127.0.0.1:{server.port}/", name=server.name,
                  exposure=Exposure.INTERNET, options={"http_port": server.port})


@dataclass
class HostileScan:
    result: ScanResult
    alone: ScanResult
    elapsed: float
    servers: dict[str, HostileServer]
    hostile: dict[str, Target]
    healthy: list[Target]
    maxrss_mb: float  # peak RSS sampled during the hostile scan
    grew_mb: float  # that peak less the RSS when the scan started (what the scan itself added)
    lifetime_kib: tuple[int, int]  # ru_maxrss (the process's lifetime peak) before and after the hostile scan
    log: str

    def summary(self) -> str:
        """One line per hostile observation (shown with ``pytest -s``)."""
        names = {t.id: key for key, t in self.hostile.items()}
        lines = [f"hostile scan: {self.elapsed:.1f}s, peak RSS {self.maxrss_mb:.0f} MB (+{self.grew_mb:.0f} MB)"]
        for f in self.result.facts:
            if f.target_id in names:
                detail = f.reason or ", ".join(f"{k}={f.data[k]}" for k in ("body_length", "body_truncated",
                                                                              "redirect_stopped") if k in f.data)
                lines.append(f"  {names[f.target_id]:<20} {f.probe:<9} {f.status:<12} {f.duration_s:>6.1f}s "
                             f"{detail[:160]}")
        for finding in self.result.findings:
            if finding.target_id in names:
                lines.append(f"  finding {names[finding.target_id]:<20} {finding.rule_id} {finding.severity.value} "
                             f"{finding.item_key}")
        return "\n".join(lines)

    def facts(self, key: str, probe: str) -> Facts:
        target = self.hostile[key]
        matches = [f for f in self.result.facts if f.target_id == target.id and f.probe == probe]
        assert len(matches) == 1, f"{key}/{probe}: {len(matches)} observations"
        return matches[0]


@pytest.fixture(scope="module")
def ruleset() -> RuleSet:
    return load_rules(None)


@pytest.fixture(scope="module")
def hostile_scan(ruleset: RuleSet, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileScan]:
    servers: dict[str, HostileServer] = {
        "garbage": GarbageServer(lifetime=150),
        "truncated-tls": TruncatedTlsServer(lifetime=150),
        "hang": HangServer(lifetime=150),
        "reset": ResetServer(lifetime=150),
        "endless-body": EndlessBodyServer(lifetime=150),
        "huge-body": HugeBodyServer(lifetime=150),
        "redirect-loop": RedirectLoopServer(lifetime=150),
        "cert-garbage": MalformedCertTlsServer("garbage", lifetime=150),
        "cert-bad-extension": MalformedCertTlsServer("bad-extension", lifetime=150),
        **{f"http-{mode}": MalformedHttpServer(mode, lifetime=150) for mode in MalformedHttpServer.MODES},
    }
    work = tmp_path_factory.mktemp("hostile")
    corrupt = work / "rusak.db"
    corrupt.write_bytes(b"SQLite format 2\x00" + bytes(range(256)) * 16)
    portal = start_site("clean")
    pg = HostilePostgres()
    handler = _ListHandler()
    logging.getLogger().addHandler(handler)
    try:
        for server in servers.values():
            server.start()
        pg.start()
        hostile: dict[str, Target] = {}
        for key in ("garbage", "truncated-tls", "hang", "reset", "cert-garbage", "cert-bad-extension"):
            hostile[key] = _url(servers[key], "https")
        for key in ("endless-body", "huge-body", "redirect-loop", *(f"http-{m}" for m in MalformedHttpServer.MODES)):
            hostile[key] = _url(servers[key], "http")
        hostile |= {f"pg-{k}": t for k, t in pg.targets().items()}
        hostile["sqlite-corrupt"] = Target(TargetKind.DATABASE, f"sqlite:///{corrupt}", name="berkas rusak")
        healthy = [
            Target(TargetKind.URL, portal.base_url, name="portal bersih", options=portal.target_options),
            Target(TargetKind.SQLFILE, str(DUMP), name="cadangan"),
            Target(TargetKind.SOURCE, str(SOURCE), name="kode bersih"),
        ]
        probes = load_probes()
        # interleave hostile and healthy targets so that they share the worker pool
        targets = list(hostile.values())
        for i, target in enumerate(healthy):
            targets.insert(3 * i + 1, target)
        clock = time.monotonic()
        with _RssSampler() as rss:
            result = scan(new_scan(targets, ruleset), probes, ruleset, _context())
        elapsed = time.monotonic() - clock
        alone = scan(new_scan(healthy, ruleset), probes, ruleset, _context())
        maxrss_mb = max(rss.peak_mb, 0.0)
        yield HostileScan(result, alone, elapsed, servers, hostile, healthy, maxrss_mb, rss.peak_mb - rss.start_mb,
                          (rss.lifetime_before, rss.lifetime_after), "\n".join(handler.lines))
    finally:
        logging.getLogger().removeHandler(handler)
        for server in servers.values():
            server.stop()
        pg.stop()
        portal.stop()


class _RssSampler:
    """Peak resident set size of this process while the block runs (sampled from /proc every 20 ms).

    ``getrusage``'s ``ru_maxrss`` is a lifetime peak, so an earlier test in the same process could
    mask or inflate it; sampling measures this scan only (``ru_maxrss`` is the fallback).
    """

    def __init__(self) -> None:
        self.peak_mb = self.start_mb = 0.0
        self.lifetime_before = self.lifetime_after = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        try:
            pages = int(Path("/proc/self/statm").read_text().split()[1])
            self.peak_mb = max(self.peak_mb, pages * os.sysconf("SC_PAGE_SIZE") / 2**20)
        except (OSError, ValueError, IndexError):
            self.peak_mb = max(self.peak_mb, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self._sample()

    def __enter__(self) -> _RssSampler:
        self.lifetime_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        self._sample()
        self.start_mb = self.peak_mb
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self.lifetime_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        self._thread.join(timeout=2)
        self._sample()


class _ListHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def _walk(value: Any) -> Iterator[Any]:
    yield value
    if isinstance(value, dict):
        for v in value.values():
            yield from _walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from _walk(v)


# ----------------------------------------------------------------------------- whole scan


def test_scan_is_bounded_and_complete(hostile_scan: HostileScan) -> None:
    """Every (target, probe) pair has exactly one observation and the scan ends in time."""
    scan_ = hostile_scan
    print(scan_.summary())
    assert scan_.elapsed < SCAN_BUDGET_S, f"hostile scan took {scan_.elapsed:.1f}s"
    probes = load_probes()
    expected = {(t.id, p.name) for t in scan_.result.targets for p in probes if p.applies_to(t)}
    observed = [(f.target_id, f.probe) for f in scan_.result.facts]
    assert sorted(observed) == sorted(expected)
    assert scan_.result.finished_at


def test_every_hostile_observation_is_inconclusive_with_reason_or_ok(hostile_scan: HostileScan) -> None:
    hostile_ids = {t.id for t in hostile_scan.hostile.values()}
    for facts in hostile_scan.result.facts:
        if facts.target_id not in hostile_ids:
            continue
        assert facts.status in ("ok", "inconclusive"), facts
        if facts.status == "inconclusive":
            assert len(facts.reason) >= 10, f"{facts.target_id}/{facts.probe}: unclear reason {facts.reason!r}"
        for node in _walk(facts.data):  # sub-checks that failed say why
            if isinstance(node, dict) and node.get("status") == "inconclusive":
                assert node.get("reason"), f"{facts.target_id}/{facts.probe}: sub-check without reason: {node}"


def test_healthy_targets_unaffected(hostile_scan: HostileScan) -> None:
    """The healthy targets' observations and findings match a scan of them alone."""
    healthy_ids = {t.id for t in hostile_scan.healthy}
    mixed = {f.fingerprint: f.rule_id for f in hostile_scan.result.findings if f.target_id in healthy_ids}
    alone = {f.fingerprint: f.rule_id for f in hostile_scan.alone.findings}
    assert mixed == alone
    status_mixed = {(f.target_id, f.probe): f.status for f in hostile_scan.result.facts if f.target_id in healthy_ids}
    status_alone = {(f.target_id, f.probe): f.status for f in hostile_scan.alone.facts}
    assert status_mixed == status_alone
    assert all(s == "ok" for s in status_alone.values()), status_alone
    sql = str(DUMP)
    pick = [f.data for f in hostile_scan.result.facts if f.target_id == sql]
    assert pick == [f.data for f in hostile_scan.alone.facts if f.target_id == sql]


def test_memory_stays_bounded(hostile_scan: HostileScan) -> None:
    """The 1 GiB body is never read: facts record a capped body and RSS stays far below 1 GiB."""
    http = hostile_scan.facts("huge-body", "http")
    assert http.status == "ok", http.reason
    assert http.data["body_truncated"] is True
    assert http.data["body_length"] <= MAX_HTTP_BODY
    server = hostile_scan.servers["huge-body"]
    assert server.bytes_sent < GIB
    # each request pulls the cap plus what socket buffers hold, never the announced gigabyte
    assert server.bytes_sent / max(1, server.requests) < 32 * 1024 * 1024
    # what the scan added to this process's RSS (earlier tests in the same pytest process set its baseline)
    assert hostile_scan.maxrss_mb > 0 and hostile_scan.grew_mb < 512, \
        f"peak RSS during the scan {hostile_scan.maxrss_mb:.0f} MB, {hostile_scan.grew_mb:.0f} MB above its start"
    # ru_maxrss (KiB) is the process's lifetime peak: below 1 GiB after the scan, or, when an earlier test of
    # the same pytest process had already passed that, not raised by the scan (a spike between samples)
    before, after = hostile_scan.lifetime_kib
    assert after < 1024 * 1024 or after <= before, (before, after)


def test_endless_body_is_capped(hostile_scan: HostileScan) -> None:
    http = hostile_scan.facts("endless-body", "http")
    assert http.status == "ok", http.reason
    assert http.data["body_truncated"] is True
    assert 0 < http.data["body_length"] <= MAX_HTTP_BODY


def test_redirect_loop_stops(hostile_scan: HostileScan) -> None:
    http = hostile_scan.facts("redirect-loop", "http")
    assert http.status == "ok", http.reason
    assert http.data["redirect_stopped"] == "redirect-limit"
    assert 1 < len(http.data["redirect_chain"]) <= 7
    assert hostile_scan.servers["redirect-loop"].requests < 2000


@pytest.mark.parametrize("key", ["garbage", "truncated-tls", "hang", "reset", "cert-garbage"])
def test_transport_level_peers(hostile_scan: HostileScan, key: str) -> None:
    """TLS: nothing is claimed as accepted that was not, and without a negotiated version the whole
    observation is inconclusive with the reason; HTTP over TLS cannot reach the site.
    A peer that never answers is found silent once, and no probe spends its timeouts on it."""
    if key == "hang":
        for probe in ("tls", "http"):
            facts = hostile_scan.facts(key, probe)
            assert facts.status == "inconclusive" and "silent service" in facts.reason, facts.reason
        return
    tls = hostile_scan.facts(key, "tls")
    if key == "cert-garbage":
        assert tls.status == "ok", tls.reason
        assert tls.data["certificate"]["status"] == "inconclusive" and tls.data["certificate"]["reason"]
    else:
        assert tls.status == "inconclusive" and tls.data == {}
        assert "no TLS handshake" in tls.reason or "cannot connect" in tls.reason, tls.reason
    http = hostile_scan.facts(key, "http")
    assert http.status == "inconclusive"
    assert http.reason.startswith("cannot reach"), http.reason


def test_unobservable_targets_yield_no_findings(hostile_scan: HostileScan) -> None:
    """Nothing was learnt from these peers, so no rule may fire on them (no false positives)."""
    keys = ("garbage", "truncated-tls", "hang", "reset", "http-header-flood", "pg-no-connect", "pg-wrong-password",
            "sqlite-corrupt")
    ids = {hostile_scan.hostile[k].id: k for k in keys}
    fired = [f"{ids[f.target_id]}: {f.rule_id} {f.item_key}" for f in hostile_scan.result.findings
             if f.target_id in ids]
    assert fired == []


def test_garbage_certificate_is_reported_unparseable(hostile_scan: HostileScan) -> None:
    tls = hostile_scan.facts("cert-garbage", "tls")
    assert tls.status == "ok", tls.reason
    assert tls.data["certificate"]["status"] == "inconclusive"
    assert "unparseable certificate" in tls.data["certificate"]["reason"]


def test_broken_certificate_extension_keeps_tls_facts(hostile_scan: HostileScan) -> None:
    """A certificate whose subjectAltName is broken ASN.1 costs the certificate record, not the TLS facts."""
    tls = hostile_scan.facts("cert-bad-extension", "tls")
    assert tls.status == "ok", tls.reason
    assert any(p["accepted"] for p in tls.data["protocols"])
    assert tls.data["certificate"]["status"] == "inconclusive"
    assert "unparseable certificate" in tls.data["certificate"]["reason"]


@pytest.mark.parametrize("mode", ["bad-chunk", "bad-content-length", "gzip-bomb"])
def test_malformed_http_bodies_are_observed_safely(hostile_scan: HostileScan, mode: str) -> None:
    http = hostile_scan.facts(f"http-{mode}", "http")
    assert http.status == "ok", http.reason
    assert http.data["body_length"] <= MAX_HTTP_BODY
    if mode == "gzip-bomb":  # inflated size is capped too, not only bytes on the wire
        assert http.data["body_truncated"] is True
        assert http.data["body_length"] == MAX_HTTP_BODY


def test_header_flood_is_refused(hostile_scan: HostileScan) -> None:
    http = hostile_scan.facts("http-header-flood", "http")
    assert http.status == "inconclusive"
    assert http.reason.startswith("cannot reach") and "header" in http.reason


def test_nul_in_charset_keeps_http_facts(hostile_scan: HostileScan) -> None:
    """``charset=utf\\x008``: codecs.lookup raises ValueError, not LookupError; the page is still observed."""
    http = hostile_scan.facts("http-nul-charset", "http")
    assert http.status == "ok", http.reason
    assert http.data["http_status"] == 200


def test_database_logins_fail_cleanly(hostile_scan: HostileScan) -> None:
    no_connect = hostile_scan.facts("pg-no-connect", "database")
    assert no_connect.status == "inconclusive"
    assert "permission denied" in no_connect.reason
    wrong = hostile_scan.facts("pg-wrong-password", "database")
    assert wrong.status == "inconclusive"
    assert "authentication failed" in wrong.reason
    no_select = hostile_scan.facts("pg-no-select", "database")
    assert no_select.status == "ok", no_select.reason
    assert no_select.data["tables"], "the schema is still visible"
    for table in no_select.data["tables"]:
        assert table["status"] == "inconclusive" and "permission denied" in table["reason"], table
    corrupt = hostile_scan.facts("sqlite-corrupt", "database")
    assert corrupt.status == "inconclusive" and "not a database" in corrupt.reason


def test_no_secret_or_exception_in_results(hostile_scan: HostileScan) -> None:
    """Passwords never reach facts or logs; no probe crashed."""
    text = repr(hostile_scan.result.to_dict()) + hostile_scan.log
    for secret in (WRONG_PASSWORD, NO_CONNECT_PASSWORD):
        assert secret not in text
    crashed = [f"{f.target_id}/{f.probe}: {f.reason}" for f in hostile_scan.result.facts
               if f.reason.startswith("internal probe error")]
    assert not crashed


# ----------------------------------------------------------------------------- slow peers


def test_drip_feed_body_respects_timeout() -> None:
    """A peer dripping one byte every 0.2 s never times out a read; the probe must still end."""
    probe = load_probes(["http"])[0]
    ctx = _context()
    with DripServer(interval=0.2, lifetime=10 * TIMEOUT_S) as server:
        clock = time.monotonic()
        facts = observe(probe, Target(TargetKind.URL, server.url), ctx)
        elapsed = time.monotonic() - clock
    assert facts.status in ("ok", "inconclusive")
    assert elapsed < 6 * TIMEOUT_S, f"http probe ran {elapsed:.1f}s against a drip-feed body (timeout {TIMEOUT_S}s)"
