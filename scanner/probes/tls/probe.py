"""TlsProbe: observe an HTTPS (or STARTTLS) endpoint's TLS configuration as plain facts.

See ``docs/facts/tls.md`` for the facts' shape.  No verdicts here: rules/tls.yaml judges.
"""

from __future__ import annotations

import functools
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from typing import Any
from urllib.parse import urlsplit

from scanner.model import Target, TargetKind
from scanner.probes.base import ProbeContext, ProbeInconclusive
from scanner.probes.tls import SPEC
from scanner.probes.tls import suites as suite_db
from scanner.probes.tls.certificate import analyse_chain, fetch_chain_stdlib
from scanner.probes.tls.enumerate import (
    ACCEPTED,
    ALL_VERSIONS,
    INCONCLUSIVE,
    REJECTED,
    Enumerator,
    ProtocolResult,
    group_fact,
)
from scanner.probes.tls.net import Connector, Unreachable
from scanner.probes.tls.starttls import DEFAULT_PORTS, preamble_for
from scanner.probes.tls.wire import SSL2, SSL3, TLS12, TLS13, VERSION_NAMES, is_ip_literal

DEFAULT_HTTPS_PORT = 443


def endpoint(target: Target) -> tuple[str, int, str | None]:
    """(host, port, starttls protocol or None) for ``target``."""
    parts = urlsplit(target.location)
    host = (parts.hostname or "").lower()
    starttls = target.options.get("starttls")
    if not starttls and target.kind is TargetKind.DATABASE:
        scheme = parts.scheme.split("+")[0].lower()
        starttls = {"postgresql": "postgres", "postgres": "postgres", "mysql": "mysql",
                    "mariadb": "mysql"}.get(scheme)
    port = target.options.get("tls_port") or parts.port
    if not port:
        port = DEFAULT_PORTS.get(starttls or "", DEFAULT_HTTPS_PORT)
    return host, int(port), starttls


class TlsProbe:
    """Protocols, cipher suites, groups, TLS features and the certificate chain."""

    name = SPEC.name

    def applies_to(self, target: Target) -> bool:
        if target.options.get("tls_port") or target.options.get("starttls"):
            return True
        if target.kind is TargetKind.URL:
            return urlsplit(target.location).scheme.lower() == "https"
        return bool(target.kind is TargetKind.DATABASE and target.options.get("tls", False))

    def run(self, target: Target, ctx: ProbeContext) -> dict[str, Any]:
        host, port, starttls = endpoint(target)
        if not host:
            raise ProbeInconclusive("target has no host")
        if not ctx.scope.allows(host):
            raise ProbeInconclusive(f"host {host} is outside the scan scope")
        sni = target.options.get("sni") or (None if is_ip_literal(host) else host)
        fixed = target.options.get("tls_timeout")
        try:
            preamble = preamble_for(starttls, host) if starttls else None
        except ValueError as exc:
            raise ProbeInconclusive(str(exc)) from exc
        conn = Connector(
            host, port,
            max_timeout=float(fixed or ctx.timeout),
            slot=functools.partial(ctx.gate.slot, rated=False),  # handshakes: bounded by concurrency only
            preamble=preamble,
            fixed_timeout=float(fixed) if fixed else None,
        )
        workers = max(1, ctx.gate.policy.per_host_concurrency)
        enum = Enumerator(conn, sni, workers)
        try:
            return _scan(enum, conn, host, port, sni, starttls, target, workers)
        except Unreachable as exc:
            raise ProbeInconclusive(f"cannot connect to {host}:{port}: {exc}") from exc


def _scan(enum: Enumerator, conn: Connector, host: str, port: int, sni: str | None,
          starttls: str | None, target: Target, workers: int) -> dict[str, Any]:
    results: dict[int, ProtocolResult] = {}
    firsts: dict[int, int | None] = {}
    # TLS 1.3 first: reachability and the RTT that sets the adaptive timeout.
    res, out = enum.detect(TLS13)
    results[TLS13], firsts[TLS13] = res, out.choice
    facts_extra: dict[str, Any] = {}
    # Every later step starts as soon as what it needs is known, so the connections the gate allows
    # are never idle between phases; the gate (not this pool's size) bounds connections per host.
    with ThreadPoolExecutor(max_workers=4 * workers) as pool:
        g13: Future[Any] | None = pool.submit(enum.tls13_groups) if res.status == ACCEPTED else None
        enumerated: dict[Future[None], int] = {}

        def enumerate_if_accepted(v: int) -> None:
            if results[v].status == ACCEPTED and v != SSL2 and firsts[v] is not None:
                enumerated[pool.submit(enum.enumerate_suites, results[v], firsts[v] or 0)] = v

        enumerate_if_accepted(TLS13)
        detects = {pool.submit(enum.detect, v): v for v in ALL_VERSIONS if v != TLS13}
        for detected in as_completed(detects):
            res, out = detected.result()
            results[detects[detected]], firsts[detects[detected]] = res, out.choice
            enumerate_if_accepted(detects[detected])
        _sanity(results)
        accepted = [v for v in ALL_VERSIONS if results[v].status == ACCEPTED]
        tls_le12 = [v for v in accepted if SSL3 <= v <= TLS12]
        best12 = max(tls_le12) if tls_le12 else None
        fb = pool.submit(enum.fallback_scsv, accepted)
        chain_std = None
        if best12 is None and TLS13 in accepted:
            chain_std = pool.submit(fetch_chain_stdlib, host, port, sni, conn.timeout, conn.slot,
                                    conn.preamble)
        pref = [pool.submit(enum.detect_preference, results[v]) for v in accepted
                if v != SSL2 and v not in enumerated.values()]
        later: dict[str, Future[Any]] = {}  # the checks that need best12's suites

        def best12_checks(v: int) -> None:
            ecdhe = [c for c in results[v].suites if suite_db.lookup(c).kx == "ECDHE"]
            dhe = [c for c in results[v].suites if suite_db.lookup(c).kx == "DHE"]
            if ecdhe:
                later["g12"] = pool.submit(enum.tls12_groups, v, ecdhe)
            if dhe:
                later["dh"] = pool.submit(enum.dh_param_bits, v, dhe)
            later["flight"] = pool.submit(enum.full_flight, v, results[v].suites)

        if best12 is not None and best12 not in enumerated.values():
            best12_checks(best12)
        for done in as_completed(enumerated):
            done.result()
            pref.append(pool.submit(enum.detect_preference, results[enumerated[done]]))
            if enumerated[done] == best12:
                best12_checks(best12)
        g12, dh, flight = later.get("g12"), later.get("dh"), later.get("flight")
        for p in pref:
            p.result()
        groups: list[dict[str, Any]] = []
        group_status = {"status": "ok", "reason": ""}
        if g13 is not None:
            found, complete, reason = g13.result()
            groups += [group_fact(g, "TLSv1.3") for g in found]
            if not complete:
                group_status = {"status": INCONCLUSIVE, "reason": reason}
        if g12 is not None and best12 is not None:
            found, complete, reason = g12.result()
            groups += [group_fact(g, VERSION_NAMES[best12]) for g in found]
            if not complete:
                group_status = {"status": INCONCLUSIVE, "reason": reason}
        facts_extra["groups"] = groups
        facts_extra["groups_status"] = group_status
        facts_extra["dh_param_bits"] = dh.result() if dh else None
        facts_extra["fallback_scsv"] = fb.result()
        info: dict[str, Any] = {}
        flight_status = {"status": INCONCLUSIVE, "reason": "no TLS <= 1.2 version accepted"}
        if flight is not None:
            f_out, info = flight.result()
            flight_status = ({"status": "ok", "reason": ""} if f_out.status == ACCEPTED
                             else {"status": INCONCLUSIVE, "reason": f_out.reason})
        chain: list[bytes] = list(info.get("chain") or [])
        chain_source = "tls-handshake" if chain else ""
        if not chain and (chain_std is not None or TLS13 in accepted):
            std = chain_std or pool.submit(fetch_chain_stdlib, host, port, sni, conn.timeout,
                                           conn.slot, conn.preamble)
            chain, err = std.result()
            chain_source = "stdlib-ssl" if chain else err
        elif not chain and results[SSL2].status == ACCEPTED:
            chain_source = "sslv2"

    if best12 is None and TLS13 in accepted:
        na = {"status": "ok", "reason": "not applicable: TLS 1.3 only"}
        reneg = {**na, "supported": True}
        compression = {**na, "accepted": False, "method": None}
        ems = {**na, "supported": True}
        heartbleed = {**na, "heartbeat_extension": False, "overlong_heartbeat_answered": False}
        stapled: bool | None = None
    else:
        ok = flight_status["status"] == "ok"
        reneg = {**flight_status, "supported": info.get("secure_renegotiation") if ok else None}
        method = info.get("compression")
        compression = {**flight_status, "accepted": (method != 0) if ok else None, "method": method}
        ems = {**flight_status, "supported": info.get("extended_master_secret") if ok else None}
        heartbleed = info.get("heartbleed") or {**flight_status, "heartbeat_extension": None,
                                                 "overlong_heartbeat_answered": None}
        stapled = (info.get("ocsp_staple") is not None) if ok else None

    if chain:
        cert = analyse_chain(chain, sni or host, extra_ca_file=target.options.get("ca_file"),
                             ocsp_stapled=stapled)
        cert["source"] = chain_source
    else:
        cert = {"status": INCONCLUSIVE, "reason": chain_source or "no certificate received",
                "source": ""}

    suites_out: list[dict[str, Any]] = []
    for v in ALL_VERSIONS:
        r = results[v]
        if r.status == ACCEPTED:
            suites_out += [suite_db.lookup(c).to_fact(r.name) for c in r.suites]
    return {
        "host": host,
        "port": port,
        "sni": sni,
        "starttls": starttls,
        "protocols": [_protocol_fact(results[v]) for v in ALL_VERSIONS],
        "cipher_suites": suites_out,
        "server_preference": {results[v].name: results[v].server_preference
                              for v in accepted if v != SSL2},
        **facts_extra,
        "secure_renegotiation": reneg,
        "compression": compression,
        "extended_master_secret": ems,
        "heartbleed": heartbleed,
        "certificate": cert,
        "connections": conn.connections,
        "rtt_ms": round((conn.rtt or 0.0) * 1000, 3),
        "timeout_s": round(conn.timeout, 3),
    }


def _protocol_fact(r: ProtocolResult) -> dict[str, Any]:
    accepted: bool | None = {ACCEPTED: True, REJECTED: False}.get(r.status)
    return {
        "name": r.name,
        "accepted": accepted,
        "status": "ok" if r.status != INCONCLUSIVE else INCONCLUSIVE,
        "reason": r.reason,
        "suites_complete": r.suites_complete if r.status == ACCEPTED else None,
        "suite_count": len(r.suites) if r.status == ACCEPTED else 0,
    }


def _sanity(results: dict[int, ProtocolResult]) -> None:
    """A peer that closed every hello without a TLS word has said nothing about versions."""
    if all(r.status != ACCEPTED and (r.status == INCONCLUSIVE or r.reason == "closed")
           for r in results.values()):
        for r in results.values():
            if r.status == REJECTED:
                r.status, r.reason = INCONCLUSIVE, "server closed every handshake without a TLS answer"
