"""TlsProbe: observe an HTTPS (or STARTTLS) endpoint's TLS configuration as plain facts.

See ``docs/facts/tls.md`` for the facts' shape.  No verdicts here: rules/tls.yaml judges.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from typing import Any
from urllib.parse import urlsplit

from scanner.model import Target, TargetKind
from scanner.net.resolve import private_refusal
from scanner.net.urls import is_ip_literal
from scanner.probes.base import ProbeContext, ProbeInconclusive, SubStatus, subcheck
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
from scanner.probes.tls.net import PLAIN_HTTP, Connector, Unreachable
from scanner.probes.tls.options import TlsOptions
from scanner.probes.tls.starttls import DEFAULT_PORTS, preamble_for
from scanner.probes.tls.wire import SSL2, SSL3, TLS12, TLS13, VERSION_NAMES

DEFAULT_HTTPS_PORT = 443


def endpoint(target: Target) -> tuple[str, int, str | None]:
    """(host, port, starttls protocol or None) for ``target``."""
    parts = urlsplit(target.location)
    host = (parts.hostname or "").lower()
    opts = TlsOptions.of(target)
    starttls = opts.starttls
    if not starttls and target.kind is TargetKind.DATABASE:
        scheme = parts.scheme.split("+")[0].lower()
        starttls = {"postgresql": "postgres", "postgres": "postgres", "mysql": "mysql",
                    "mariadb": "mysql"}.get(scheme)
    port = opts.tls_port or parts.port
    if not port:
        port = DEFAULT_PORTS.get(starttls or "", DEFAULT_HTTPS_PORT)
    return host, int(port), starttls


class TlsProbe:
    """Protocols, cipher suites, groups, TLS features and the certificate chain."""

    name = SPEC.name

    def applies_to(self, target: Target) -> bool:
        opts = TlsOptions.of(target)
        if opts.tls_port or opts.starttls:
            return True
        if target.kind is TargetKind.URL:
            return urlsplit(target.location).scheme.lower() == "https"
        return target.kind is TargetKind.DATABASE and opts.tls

    def run(self, target: Target, ctx: ProbeContext) -> dict[str, Any]:
        host, port, starttls = endpoint(target)
        if not host:
            raise ProbeInconclusive("target has no host")
        if not ctx.scope.allows(host):
            raise ProbeInconclusive(f"host {host} is outside the scan scope")
        if (refusal := private_refusal(host, ctx.scope)) is not None:
            raise ProbeInconclusive(refusal)
        opts = TlsOptions.of(target)
        sni = opts.sni or (None if is_ip_literal(host) else host)
        fixed = opts.tls_timeout
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
    """Versions, then suites and preference, groups, the full flight's features and the chain;
    each step starts as soon as what it needs is known (``_Phases``)."""
    results: dict[int, ProtocolResult] = {}
    firsts: dict[int, int | None] = {}
    # TLS 1.3 first: reachability and the RTT that sets the adaptive timeout.
    res, out = enum.detect(TLS13)
    results[TLS13], firsts[TLS13] = res, out.choice
    if res.reason == PLAIN_HTTP:  # nothing more to learn from a plain-HTTP port: say so at once
        raise ProbeInconclusive(_no_handshake({TLS13: res}, host, port))
    # Every later step starts as soon as what it needs is known, so the connections the gate allows
    # are never idle between phases; the gate (not this pool's size) bounds connections per host.
    with ThreadPoolExecutor(max_workers=4 * workers) as pool:
        phases = _Phases(enum, pool, results, firsts)
        g13: Future[Any] | None = pool.submit(enum.tls13_groups) if res.status == ACCEPTED else None
        phases.versions()
        accepted = [v for v in ALL_VERSIONS if results[v].status == ACCEPTED]
        if not accepted:  # no version negotiated: no TLS fact of this endpoint can be trusted
            raise ProbeInconclusive(_no_handshake(results, host, port))
        tls_le12 = [v for v in accepted if SSL3 <= v <= TLS12]
        best12 = max(tls_le12) if tls_le12 else None
        fb = pool.submit(enum.fallback_scsv, accepted)
        chain_std = None
        if best12 is None and TLS13 in accepted:
            chain_std = pool.submit(fetch_chain_stdlib, host, port, sni, conn.timeout, conn.slot, conn.preamble)
        phases.suites_and_preference(accepted, best12)
        # the checks below are independent sub-checks: one failing is recorded in its own place
        extra = _key_exchange(g13, phases.later.get("g12"), phases.later.get("dh"), best12)
        extra["fallback_scsv"] = _guarded("fallback_scsv", fb.result, supported=None)
        flight = subcheck("full handshake", lambda: _flight(phases.later.get("flight")))
        info: dict[str, Any] = flight.pop("info", {})
        features, stapled = _features(best12 is None and TLS13 in accepted, flight, info)

        def certificate() -> dict[str, Any]:
            if not (chain := list(info.get("chain") or [])) and (chain_std is not None or TLS13 in accepted):
                std = chain_std or pool.submit(fetch_chain_stdlib, host, port, sni, conn.timeout, conn.slot,
                                               conn.preamble)
                chain, err = std.result()
                return _certificate(chain, "stdlib-ssl" if chain else err, sni or host, target, stapled)
            source = "tls-handshake" if chain else "sslv2" if results[SSL2].status == ACCEPTED else ""
            return _certificate(chain, source, sni or host, target, stapled)

        cert = _guarded("certificate", certificate, source="")
    return {
        "host": host,
        "port": port,
        "sni": sni,
        "starttls": starttls,
        "protocols": [_protocol_fact(results[v]) for v in ALL_VERSIONS],
        "cipher_suites": [suite_db.lookup(c).to_fact(results[v].name) for v in ALL_VERSIONS
                          if results[v].status == ACCEPTED for c in results[v].suites],
        "server_preference": {results[v].name: results[v].server_preference for v in accepted if v != SSL2},
        **extra,
        **features,
        "certificate": cert,
        "connections": conn.connections,
        "rtt_ms": round((conn.rtt or 0.0) * 1000, 3),
        "timeout_s": round(conn.timeout, 3),
    }


class _Phases:
    """The futures of one scan: version detection, suite enumeration, preference, and the checks
    that need the best TLS <= 1.2 version's suites (``later``: groups, DH size, the full flight)."""

    def __init__(self, enum: Enumerator, pool: ThreadPoolExecutor, results: dict[int, ProtocolResult],
                 firsts: dict[int, int | None]) -> None:
        self.enum, self.pool, self.results, self.firsts = enum, pool, results, firsts
        self.enumerated: dict[Future[None], int] = {}
        self.later: dict[str, Future[Any]] = {}

    def _enumerate_if_accepted(self, v: int) -> None:
        if self.results[v].status == ACCEPTED and v != SSL2 and self.firsts[v] is not None:
            self.enumerated[self.pool.submit(self.enum.enumerate_suites, self.results[v], self.firsts[v] or 0)] = v

    def versions(self) -> None:
        """Detect every version (TLS 1.3 is known already); enumerate each accepted one at once."""
        self._enumerate_if_accepted(TLS13)
        detects = {self.pool.submit(self.enum.detect, v): v for v in ALL_VERSIONS if v != TLS13}
        for detected in as_completed(detects):
            res, out = detected.result()
            self.results[detects[detected]], self.firsts[detects[detected]] = res, out.choice
            self._enumerate_if_accepted(detects[detected])
        _sanity(self.results)

    def _best12_checks(self, v: int) -> None:
        suites = self.results[v].suites
        ecdhe = [c for c in suites if suite_db.lookup(c).kx == "ECDHE"]
        dhe = [c for c in suites if suite_db.lookup(c).kx == "DHE"]
        if ecdhe:
            self.later["g12"] = self.pool.submit(self.enum.tls12_groups, v, ecdhe)
        if dhe:
            self.later["dh"] = self.pool.submit(self.enum.dh_param_bits, v, dhe)
        self.later["flight"] = self.pool.submit(self.enum.full_flight, v, suites)

    def suites_and_preference(self, accepted: list[int], best12: int | None) -> None:
        """Wait for every enumeration, detecting each version's suite preference as it completes."""
        pref = [self.pool.submit(self.enum.detect_preference, self.results[v]) for v in accepted
                if v != SSL2 and v not in self.enumerated.values()]
        if best12 is not None and best12 not in self.enumerated.values():
            self._best12_checks(best12)
        for done in as_completed(self.enumerated):
            done.result()
            pref.append(self.pool.submit(self.enum.detect_preference, self.results[self.enumerated[done]]))
            if self.enumerated[done] == best12:
                self._best12_checks(best12)
        for p in pref:
            p.result()


def _guarded(name: str, observe: Callable[[], dict[str, Any]], **blank: Any) -> dict[str, Any]:
    """One sub-check through the probes' guard; a failure keeps the record's other fields (``blank``)."""
    record = subcheck(name, observe)
    for key, value in blank.items():
        record.setdefault(key, value)
    return record


def _groups(g13: Future[Any] | None, g12: Future[Any] | None, best12: int | None) -> dict[str, Any]:
    groups: list[dict[str, Any]] = []
    status: dict[str, Any] = {"status": SubStatus.OK, "reason": ""}
    for future, version in ((g13, "TLSv1.3"), (g12, VERSION_NAMES[best12] if best12 is not None else "")):
        if future is None or not version:
            continue
        found, complete, reason = future.result()
        groups += [group_fact(g, version) for g in found]
        if not complete:
            status = {"status": SubStatus.INCONCLUSIVE, "reason": reason}
    return {**status, "groups": groups}


def _key_exchange(g13: Future[Any] | None, g12: Future[Any] | None, dh: Future[Any] | None,
                  best12: int | None) -> dict[str, Any]:
    """``groups``, ``groups_status`` and ``dh_param_bits``: two sub-checks (groups, the finite-field DH
    size); ``groups_status`` says why either could not be observed."""
    status = _guarded("groups", lambda: _groups(g13, g12, best12), groups=[])
    groups = status.pop("groups")
    bits = subcheck("dh_param_bits", lambda: {"status": SubStatus.OK, "bits": dh.result() if dh else None})
    if bits["status"] != SubStatus.OK and status["status"] == SubStatus.OK:
        status = {"status": bits["status"], "reason": f"DH parameters: {bits['reason']}"}
    return {"groups": groups, "groups_status": status, "dh_param_bits": bits.get("bits")}


def _flight(flight: Future[Any] | None) -> dict[str, Any]:
    """The full handshake's status and what it showed (``info``: extensions, chain, staple)."""
    if flight is None:
        return {"status": SubStatus.INCONCLUSIVE, "reason": "no TLS <= 1.2 version accepted", "info": {}}
    out, info = flight.result()
    if out.status != ACCEPTED:
        return {"status": SubStatus.INCONCLUSIVE, "reason": out.reason, "info": info}
    return {"status": SubStatus.OK, "reason": "", "info": info}


def _features(tls13_only: bool, flight_status: dict[str, str], info: dict[str, Any]
              ) -> tuple[dict[str, Any], bool | None]:
    """Renegotiation, compression, extended master secret and heartbeat facts, and the OCSP staple."""
    if tls13_only:
        na = {"status": SubStatus.OK, "reason": "not applicable: TLS 1.3 only"}
        return {"secure_renegotiation": {**na, "supported": True},
                "compression": {**na, "accepted": False, "method": None},
                "extended_master_secret": {**na, "supported": True},
                "heartbleed": {**na, "heartbeat_extension": False, "overlong_heartbeat_answered": False}}, None
    ok = flight_status["status"] == SubStatus.OK
    method = info.get("compression")
    return {
        "secure_renegotiation": {**flight_status, "supported": info.get("secure_renegotiation") if ok else None},
        "compression": {**flight_status, "accepted": (method != 0) if ok else None, "method": method},
        "extended_master_secret": {**flight_status, "supported": info.get("extended_master_secret") if ok else None},
        "heartbleed": info.get("heartbleed") or {**flight_status, "heartbeat_extension": None,
                                                 "overlong_heartbeat_answered": None},
    }, (info.get("ocsp_staple") is not None) if ok else None


def _certificate(chain: list[bytes], source: str, name: str, target: Target, stapled: bool | None) -> dict[str, Any]:
    if not chain:
        return {"status": SubStatus.INCONCLUSIVE, "reason": source or "no certificate received", "source": ""}
    cert = analyse_chain(chain, name, extra_ca_file=TlsOptions.of(target).ca_file, ocsp_stapled=stapled)
    cert["source"] = source
    return cert


def _protocol_fact(r: ProtocolResult) -> dict[str, Any]:
    accepted: bool | None = {ACCEPTED: True, REJECTED: False}.get(r.status)
    return {
        "name": r.name,
        "accepted": accepted,
        "status": SubStatus.OK if r.status != INCONCLUSIVE else SubStatus.INCONCLUSIVE,
        "reason": r.reason,
        "suites_complete": r.suites_complete if r.status == ACCEPTED else None,
        "suite_count": len(r.suites) if r.status == ACCEPTED else 0,
    }


def _no_handshake(results: dict[int, ProtocolResult], host: str, port: int) -> str:
    """Why no TLS version was negotiated with ``host:port``, from what each hello got back."""
    reasons = {r.reason for r in results.values()}
    where = f"{host}:{port}"
    if PLAIN_HTTP in reasons:
        return f"not TLS: {where} answers plain HTTP (scan http://{where}/ instead)"
    if reasons == {"timeout"}:
        return f"no TLS handshake with {where}: no answer (timeout) to any TLS hello"
    if "reset" in reasons:
        return f"no TLS handshake with {where}: connection reset by the server"
    if all(r.status == REJECTED for r in results.values()):
        return f"no TLS handshake with {where}: every offered TLS/SSL version was refused"
    return f"no TLS handshake with {where}: " + "; ".join(sorted(r for r in reasons if r))


def _sanity(results: dict[int, ProtocolResult]) -> None:
    """A peer that closed every hello without a TLS word has said nothing about versions."""
    if all(r.status != ACCEPTED and (r.status == INCONCLUSIVE or r.reason == "closed")
           for r in results.values()):
        for r in results.values():
            if r.status == REJECTED:
                r.status, r.reason = INCONCLUSIVE, "server closed every handshake without a TLS answer"
