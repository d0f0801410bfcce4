"""Protocol, cipher-suite and group enumeration by the removal method, plus the
one-connection checks (fallback SCSV, renegotiation, compression, heartbeat).

Outcomes are three-valued: ``accepted``, ``rejected`` (the server said no: an alert, a
different version, a clean close) and ``inconclusive`` (timeout, reset, garbage).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from scanner.probes.base import SubStatus
from scanner.probes.tls import suites as suite_db
from scanner.probes.tls.net import Connector, Exchange
from scanner.probes.tls.wire import (
    EXT_EXTENDED_MASTER_SECRET,
    EXT_HEARTBEAT,
    EXT_RENEGOTIATION_INFO,
    EXT_STATUS_REQUEST,
    GROUP_BITS,
    GROUP_NAMES,
    HS_CERTIFICATE,
    HS_CERTIFICATE_STATUS,
    HS_SERVER_KEY_EXCHANGE,
    SSL2,
    SSL3,
    TLS10,
    TLS12,
    TLS12_GROUPS,
    TLS13,
    TLS13_GROUPS,
    VERSION_NAMES,
    HelloOptions,
    TlsParseError,
    build_client_hello,
    build_heartbeat_request,
    build_sslv2_client_hello,
    parse_certificate_list,
    parse_ske_dh_bits,
    parse_ske_named_curve,
)

ALL_VERSIONS = (SSL2, SSL3, TLS10, 0x0302, TLS12, TLS13)
BUNDLE = 128
ACCEPTED, REJECTED, INCONCLUSIVE = "accepted", "rejected", "inconclusive"


@dataclass
class Outcome:
    status: str
    reason: str = ""
    choice: int | None = None  # chosen suite (or group for group probes)
    exchange: Exchange | None = None


@dataclass
class ProtocolResult:
    version: int
    status: str  # accepted / rejected / inconclusive
    reason: str = ""
    suites: list[int] = field(default_factory=list)
    suites_complete: bool = True
    server_preference: bool | None = None  # None: fewer than two suites, SSLv2, or no consistent answer

    @property
    def name(self) -> str:
        return VERSION_NAMES[self.version]


def hello_options(version: int, sni: str | None, **kw: object) -> HelloOptions:
    """Options suited to ``version``: SSLv3 hellos carry no extensions."""
    opts = HelloOptions(sni=sni, extensions=version > SSL3)
    for key, value in kw.items():
        setattr(opts, key, value)
    return opts


def classify(ex: Exchange, version: int, offered: list[int]) -> Outcome:
    """Turn one exchange into accepted / rejected / inconclusive for ``version``."""
    f = ex.flight
    if version == SSL2 and f.sslv2 is not None:
        specs = [c for c in f.sslv2.cipher_specs if c in offered]
        if f.sslv2.version != SSL2 or not specs:
            return Outcome(REJECTED, "SSLv2 SERVER-HELLO without common cipher specs", None, ex)
        return Outcome(ACCEPTED, "", specs[0], ex)
    if f.server_hello is None:
        if f.alert is not None:
            return Outcome(REJECTED, f"alert {f.alert.name}", None, ex)
        if ex.error == "closed":
            return Outcome(REJECTED, "closed", None, ex)
        return Outcome(INCONCLUSIVE, ex.error or "no ServerHello", None, ex)
    sh = f.server_hello
    if sh.version != version:
        return Outcome(REJECTED, f"server negotiated {VERSION_NAMES.get(sh.version, hex(sh.version))}",
                       None, ex)
    if sh.cipher_suite not in offered:
        return Outcome(INCONCLUSIVE, f"server selected suite 0x{sh.cipher_suite:04X} not offered",
                       None, ex)
    return Outcome(ACCEPTED, "", sh.cipher_suite, ex)


class Enumerator:
    """Runs the probes against one endpoint through a :class:`Connector`."""

    def __init__(self, conn: Connector, sni: str | None, workers: int = 5) -> None:
        self.conn = conn
        self.sni = sni
        self.workers = max(1, workers)

    # -- single handshakes -------------------------------------------------------------

    def try_suites(self, version: int, offered: list[int], **kw: object) -> Outcome:
        """One ClientHello; inconclusive answers are retried once with a longer timeout."""
        outcome = Outcome(INCONCLUSIVE, "not run")
        for attempt in range(2):
            if version == SSL2:
                ex = self.conn.exchange(build_sslv2_client_hello(offered), sslv2=True,
                                        timeout_factor=1 + attempt)
            else:
                hello = build_client_hello(version, offered, hello_options(version, self.sni, **kw))
                ex = self.conn.exchange(hello, timeout_factor=1 + attempt)
            outcome = classify(ex, version, offered)
            if outcome.status != INCONCLUSIVE:
                return outcome
        return outcome

    # -- protocols and suites ------------------------------------------------------------

    def detect(self, version: int) -> tuple[ProtocolResult, Outcome]:
        offered = suite_db.candidates(version)
        out = self.try_suites(version, offered)
        res = ProtocolResult(version, out.status, out.reason)
        if version == SSL2 and out.status == ACCEPTED and out.exchange and out.exchange.flight.sslv2:
            res.suites = [c for c in out.exchange.flight.sslv2.cipher_specs if c in offered]
        return res, out

    def removal(
        self, candidates: list[int], probe: Callable[[list[int]], Outcome], *, ordered: bool = False
    ) -> tuple[list[int], bool, str]:
        """Offer all, drop the chosen, repeat; candidates split in parallel bundles of ``BUNDLE``.

        With ``ordered`` there is a single chain, so the result is in the server's preference
        order; parallel bundles would concatenate several partial orders.
        """
        bundles = [candidates] if ordered else [candidates[i:i + BUNDLE] for i in range(0, len(candidates), BUNDLE)]

        def chain(bundle: list[int]) -> tuple[list[int], bool, str]:
            found: list[int] = []
            remaining = list(bundle)
            while remaining:
                out = probe(remaining)
                if out.status == REJECTED:
                    return found, True, ""
                if out.status == INCONCLUSIVE or out.choice is None or out.choice not in remaining:
                    return found, False, out.reason or "unexpected choice"
                found.append(out.choice)
                remaining.remove(out.choice)
            return found, True, ""

        if len(bundles) <= 1:
            return chain(bundles[0]) if bundles else ([], True, "")
        with ThreadPoolExecutor(max_workers=min(self.workers, len(bundles))) as pool:
            results = list(pool.map(chain, bundles))
        found = [c for r in results for c in r[0]]
        complete = all(r[1] for r in results)
        reason = "; ".join(r[2] for r in results if r[2])
        return found, complete, reason

    def enumerate_suites(self, res: ProtocolResult, first: int) -> None:
        """Fill ``res.suites`` for an accepted TLS/SSLv3 version whose first choice is known."""
        rest = [c for c in suite_db.candidates(res.version) if c != first]
        found, complete, reason = self.removal(
            rest, lambda offered: self.try_suites(res.version, offered))
        res.suites = [first, *found]
        res.suites_complete = complete
        if not complete:
            res.reason = f"suite list incomplete: {reason}"

    def detect_preference(self, res: ProtocolResult) -> None:
        """Server or client suite order; reorders ``res.suites`` to the server's order."""
        accepted = list(res.suites)
        if res.version == SSL2 or len(accepted) < 2:
            return
        fwd = self.try_suites(res.version, accepted)
        rev = self.try_suites(res.version, accepted[::-1])
        if fwd.choice is None or rev.choice is None:
            return
        if fwd.choice == accepted[0] and rev.choice == accepted[-1]:
            res.server_preference = False
            return
        if fwd.choice != rev.choice:  # mixed: the server follows neither order consistently
            return
        res.server_preference = True
        order, complete, _ = self.removal(
            [c for c in accepted if c != fwd.choice],
            lambda offered: self.try_suites(res.version, offered), ordered=True)
        order = [fwd.choice, *order]
        if complete and sorted(order) == sorted(accepted):
            res.suites = order

    # -- groups --------------------------------------------------------------------------

    def tls13_groups(self) -> tuple[list[int], bool, str]:
        """TLS 1.3 groups via HelloRetryRequest: empty key_share, shrinking supported_groups."""
        suites = suite_db.candidates(TLS13)

        def probe(offered: list[int]) -> Outcome:
            out = self.try_suites(TLS13, suites, groups=tuple(offered), key_share_groups=())
            if out.status != ACCEPTED or out.exchange is None:
                return out
            sh = out.exchange.flight.server_hello
            group = sh.selected_group if sh is not None else None
            return Outcome(ACCEPTED, "", group, out.exchange)

        # three bundles of unrelated families run in parallel
        groups = list(TLS13_GROUPS)
        ff = [g for g in groups if 256 <= g <= 260]
        ec = [g for g in groups if g not in ff]
        results = [self._group_chain(ec, probe), self._group_chain(ff, probe)]
        found = [g for r in results for g in r[0]]
        return found, all(r[1] for r in results), "; ".join(r[2] for r in results if r[2])

    def _group_chain(
        self, candidates: list[int], probe: Callable[[list[int]], Outcome]
    ) -> tuple[list[int], bool, str]:
        return self.removal(candidates, probe, ordered=True)

    def tls12_groups(self, version: int, ecdhe_suites: list[int]) -> tuple[list[int], bool, str]:
        """ECDHE curves for TLS <= 1.2 from ServerKeyExchange named_curve."""

        def probe(offered: list[int]) -> Outcome:
            opts = hello_options(version, self.sni, groups=tuple(offered))
            hello = build_client_hello(version, ecdhe_suites, opts)
            ex = self.conn.exchange(hello, until="hello_done")
            out = classify(ex, version, ecdhe_suites)
            if out.status != ACCEPTED:
                return out
            ske = ex.flight.message(HS_SERVER_KEY_EXCHANGE)
            curve = parse_ske_named_curve(ske) if ske else None
            if curve is None:
                return Outcome(INCONCLUSIVE, "no named curve in ServerKeyExchange", None, ex)
            return Outcome(ACCEPTED, "", curve, ex)

        return self.removal([g for g in TLS12_GROUPS if g < 256], probe, ordered=True)

    def dh_param_bits(self, version: int, dhe_suites: list[int]) -> int | None:
        """Size of the server's finite-field DH prime (TLS <= 1.2 DHE suites)."""
        hello = build_client_hello(version, dhe_suites, hello_options(version, self.sni))
        ex = self.conn.exchange(hello, until="hello_done")
        if classify(ex, version, dhe_suites).status != ACCEPTED:
            return None
        ske = ex.flight.message(HS_SERVER_KEY_EXCHANGE)
        try:
            return parse_ske_dh_bits(ske) if ske else None
        except TlsParseError:
            return None

    # -- one-connection checks ------------------------------------------------------------

    def fallback_scsv(self, accepted_versions: list[int]) -> dict[str, object]:
        """Offer the second-highest version with TLS_FALLBACK_SCSV."""
        tls = sorted(v for v in accepted_versions if v >= SSL3)
        if len(tls) < 2:
            return {"status": SubStatus.OK, "supported": None, "reason": "only one protocol version"}
        version = tls[-2]
        out = self.try_suites(version, suite_db.candidates(version), fallback_scsv=True)
        ex = out.exchange
        if ex is not None and ex.flight.alert is not None and ex.flight.alert.description == 86:
            return {"status": SubStatus.OK, "supported": True, "reason": "", "tested_version": VERSION_NAMES[version]}
        if out.status == ACCEPTED:
            return {"status": SubStatus.OK, "supported": False, "reason": "fallback handshake accepted",
                    "tested_version": VERSION_NAMES[version]}
        if out.status == REJECTED:
            return {"status": SubStatus.OK, "supported": True, "reason": out.reason,
                    "tested_version": VERSION_NAMES[version]}
        return {"status": SubStatus.INCONCLUSIVE, "supported": None, "reason": out.reason}

    def full_flight(self, version: int, offered: list[int]) -> tuple[Outcome, dict[str, object]]:
        """One TLS <= 1.2 handshake up to ServerHelloDone, offering DEFLATE, heartbeat,
        status_request and renegotiation_info; then a safe heartbeat probe if acknowledged."""
        opts = hello_options(version, self.sni, compression=(1, 0), heartbeat=version > SSL3,
                             status_request=version > SSL3)
        hello = build_client_hello(version, offered, opts)
        probe_hb = build_heartbeat_request(version, claimed_length=16)
        ex = self.conn.exchange(hello, until="hello_done")
        out = classify(ex, version, offered)
        info: dict[str, object] = {}
        if out.status != ACCEPTED or ex.flight.server_hello is None:
            return out, info
        sh = ex.flight.server_hello
        info["compression"] = sh.compression
        info["secure_renegotiation"] = EXT_RENEGOTIATION_INFO in sh.extensions
        info["extended_master_secret"] = EXT_EXTENDED_MASTER_SECRET in sh.extensions
        info["status_request_ack"] = EXT_STATUS_REQUEST in sh.extensions
        info["ocsp_staple"] = ex.flight.message(HS_CERTIFICATE_STATUS)
        cert_msg = ex.flight.message(HS_CERTIFICATE)
        try:
            info["chain"] = parse_certificate_list(cert_msg) if cert_msg else []
        except TlsParseError:
            info["chain"] = []
        hb_ack = EXT_HEARTBEAT in sh.extensions
        info["heartbeat_extension"] = hb_ack
        if hb_ack and ex.flight.done:
            hb = self.conn.exchange(hello, until="hello_done", followup=probe_hb)
            fu = hb.followup
            if fu is None:
                info["heartbleed"] = {"status": SubStatus.INCONCLUSIVE, "heartbeat_extension": True,
                                      "overlong_heartbeat_answered": None,
                                      "reason": hb.error or "no answer"}
            else:
                answered = bool(fu.heartbeats)
                info["heartbleed"] = {"status": SubStatus.OK, "heartbeat_extension": True,
                                      "overlong_heartbeat_answered": answered, "reason": ""}
        else:
            info["heartbleed"] = {"status": SubStatus.OK, "heartbeat_extension": hb_ack,
                                  "overlong_heartbeat_answered": None if hb_ack else False,
                                  "reason": "" if not hb_ack else "flight incomplete"}
        return out, info


def group_fact(code: int, protocol: str) -> dict[str, object]:
    return {"name": GROUP_NAMES.get(code, f"0x{code:04X}"), "code": f"0x{code:04X}",
            "protocol": protocol, "bits": GROUP_BITS.get(code),
            "post_quantum": code in (0x11EB, 0x11EC, 0x11ED, 0x0200, 0x0201, 0x0202)}


__all__ = ["ALL_VERSIONS", "TLS13", "Enumerator", "ProtocolResult", "classify", "group_fact"]
