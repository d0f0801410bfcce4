"""Forged tokens of the black-box mode, sent to endpoints that refused a request without credentials.

``alg`` none (4 casings), an empty and a stripped signature, HS256 with the first wordlist secrets,
and the secret cracked from a token the same origin handed out. Claims come from such a token
(personal values masked) or are synthetic. Each reply is compared with the refusal it should repeat.

Where the site hands out its tokens in a cookie or a query parameter (``Harvest.carriers``), forged
tokens also go there, to the first ``MAX_CARRIER_TARGETS`` refusing endpoints; the refusal they are
compared with is then the reply to a value that is no token, sent in that same carrier (one request), and
an endpoint that does not refuse it gets no forgeries there.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

from scanner.probes.auth import analysis
from scanner.probes.auth.client import Reply, RequestFailed, origin_of
from scanner.probes.auth.compare import NO_DATA, personal_data, similarity
from scanner.probes.auth.harvest import BEARER, Harvest, kind, refusal
from scanner.probes.auth.tokens import NONE_CASINGS, Token, b64url, decode, hmac_signed, unsigned
from scanner.probes.base import SubStatus

MAX_FORGERY_TARGETS = 10
MAX_CARRIER_TARGETS = 3  # refusing endpoints that also get forged tokens in a cookie or query carrier
BLIND_SECRETS = 3


@dataclass
class Forgery:
    name: str
    token: str
    alg: str
    basis: str  # "synthetic", "harvested-claims" or "cracked-secret"


@dataclass
class Probed:
    """An endpoint's facts so far, with its reply without credentials (in memory only)."""

    url: str
    facts: dict[str, Any]
    reply: Reply | None


@dataclass
class Forger:
    """Builds forged tokens from what ``harvest`` saw and sends them; cracked secrets stay in memory."""

    harvest: Harvest
    words: list[str]

    def __post_init__(self) -> None:
        self.secrets_by_origin: dict[str, tuple[Token, str]] = {}  # in memory only

    def crack_tokens(self) -> None:
        """Crack the HS* secret of each harvested token once; keep it per issuing origin."""
        for fingerprint, (raw, _) in self.harvest.seen_tokens.items():
            token = decode(raw)
            if token is None:
                continue
            secret = analysis.secret_search(token, self.words)[1]
            if secret is not None:
                self.secrets_by_origin.setdefault(self.harvest.issuers[fingerprint], (token, secret))

    def _template(self, url: str) -> tuple[dict[str, Any], dict[str, Any], str]:
        """Header and claims to forge with: a token handed out by the same origin, else synthetic."""
        now = int(time.time())
        cracked = self.secrets_by_origin.get(origin_of(url))
        mine = [decode(raw) for fingerprint, (raw, _) in self.harvest.seen_tokens.items()
                if self.harvest.issuers[fingerprint] == origin_of(url)]
        for token in ([cracked[0]] if cracked else []) + mine:
            if token is not None:  # personal values in the claims are masked: the forged token may be reported
                claims = {**_masked(token.claims), "iat": now}
                if "exp" in claims:
                    claims["exp"] = now + 600
                return dict(token.header), claims, "harvested-claims"
        return {"alg": "HS256", "typ": "JWT"}, {"sub": "1", "role": "admin", "iat": now, "exp": now + 600}, \
            "synthetic"

    def forgeries(self, url: str) -> list[Forgery]:
        header, claims, basis = self._template(url)
        template = Token("", header, claims)
        hs_header = {**header, "alg": "HS256"}
        unsigned_hs = ".".join(b64url(json.dumps(part, separators=(",", ":")).encode()) for part in (hs_header, claims))
        out = [Forgery("forged-alg-none", unsigned(template, alg), alg, basis) for alg in NONE_CASINGS]
        out.append(Forgery("forged-empty-signature", unsigned_hs + ".", "HS256", basis))
        out.append(Forgery("forged-stripped-signature", unsigned_hs, "HS256", basis))
        out += [Forgery("forged-weak-secret", hmac_signed(header, claims, word.encode()), "HS256", basis)
                for word in self.words[:BLIND_SECRETS]]
        cracked = self.secrets_by_origin.get(origin_of(url))
        if cracked is not None:
            token, secret = cracked
            out.append(Forgery("forged-cracked-secret", hmac_signed(token.header, claims, secret.encode(),
                                                                    token.alg), token.alg, "cracked-secret"))
        return out

    def forge_all(self, endpoints: list[Probed]) -> int:
        """Send forged tokens to the first MAX_FORGERY_TARGETS refusing endpoints; the number refusing."""
        refusing = [e for e in endpoints if e.reply is not None and e.facts["refusal"]["refused"]]
        for index, entry in enumerate(refusing[:MAX_FORGERY_TARGETS]):
            if entry.reply is not None:
                self._forge(entry, entry.reply)
            if index < MAX_CARRIER_TARGETS:
                for carrier in self.harvest.carriers.get(origin_of(entry.url), []):
                    self._forge_in(entry, carrier)
        for entry in refusing[MAX_FORGERY_TARGETS:]:
            entry.facts["variants"].append({"name": "forged-tokens", "status": SubStatus.SKIPPED,
                                            "reason": f"only {MAX_FORGERY_TARGETS} refusing endpoints are tested"})
        return len(refusing)

    def _forge_in(self, entry: Probed, carrier: tuple[str, str]) -> None:
        """Forged tokens in a cookie or query parameter, after that carrier's refusal: the reply to a value
        that is no token at all (a server that never checks signatures still refuses it)."""
        where = {"carrier": carrier[0], "carrier_name": carrier[1]}
        try:
            baseline = self.harvest.get(entry.url, token=f"pindai-{secrets.token_hex(16)}", carrier=carrier)
        except RequestFailed as exc:
            entry.facts["variants"].append({"name": "carrier-refusal", **where, "status": SubStatus.INCONCLUSIVE,
                                            "reason": str(exc)})
            return
        refused = refusal(baseline)
        entry.facts["variants"].append({"name": "carrier-refusal", **where, "status": SubStatus.OK,
                                        "http_status": baseline.status, "refused": refused["refused"],
                                        "reason": refused["reason"]})
        if refused["refused"]:
            self._forge(entry, baseline, carrier, blind=False)

    def _forge(self, entry: Probed, refused: Reply, carrier: tuple[str, str] = BEARER, *, blind: bool = True) -> None:
        accepted = False
        where = {"carrier": "bearer"} if carrier == BEARER else {"carrier": carrier[0], "carrier_name": carrier[1]}
        for forgery in self.forgeries(entry.url):
            if not blind and forgery.name == "forged-weak-secret":
                continue  # guessed secrets go in the bearer header only (within the budget)
            head = {"name": forgery.name, "alg": forgery.alg, "basis": forgery.basis, **where}
            if accepted:
                entry.facts["variants"].append(
                    {**head, "status": SubStatus.SKIPPED, "reason": "an earlier forged token was already accepted"})
                continue
            try:
                reply = self.harvest.get(entry.url, token=forgery.token, carrier=carrier)
            except RequestFailed as exc:
                entry.facts["variants"].append({**head, "status": SubStatus.INCONCLUSIVE, "reason": str(exc)})
                continue
            facts = {**head, **against_refusal(reply, refused)}
            accepted = facts["status_class"] == "2xx" and not facts["same_as_refusal"] \
                and facts["refusal_similarity"] < 0.6
            if accepted and _shareable(forgery):  # the reproduction step shows the finding, not the 401
                facts["token_parts"] = forgery.token.split(".")
            entry.facts["variants"].append(facts)


def _masked(claims: dict[str, Any]) -> dict[str, Any]:
    from scanner.pii import scrub

    return dict(scrub(claims))


def _shareable(forgery: Forgery) -> bool:
    """Whether the forged token may appear in the report's reproduction step: its claims hold no personal
    data (a synthetic template, or harvested claims without any), unlike claims copied from a user's token."""
    token = decode(forgery.token)
    return token is not None and _masked(token.claims) == token.claims


def against_refusal(reply: Reply, refused: Reply) -> dict[str, Any]:
    """A forged-token reply next to the refusal it should repeat."""
    sim = similarity(reply.text, refused.text)
    body = kind(reply)
    return {
        "status": SubStatus.OK, "http_status": reply.status, "status_class": reply.status_class, "length": reply.length,
        "refusal_similarity": sim, "same_as_refusal": reply.status == refused.status and sim >= 0.9,
        "personal_data": personal_data(reply.text) if reply.status_class == "2xx" and body != "html"
        else dict(NO_DATA),
    }
