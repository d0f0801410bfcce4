"""JWT observations: algorithm, header parameters, lifetime, claims, guessable HS* secret."""

from __future__ import annotations

import json
import math
import time
from functools import partial
from typing import Any

from scanner.probes.auth.compare import personal_data
from scanner.probes.auth.tokens import Token, crack, decode
from scanner.probes.base import SubStatus, subcheck

KEY_HEADERS = ("kid", "jku", "x5u", "jwk", "x5c")


TIME_CLAIMS = ("exp", "iat", "nbf")


def _int_claim(claims: dict[str, Any], name: str) -> int | None:
    """A NumericDate claim in whole seconds; ``None`` when absent or unusable (a string, ``NaN``, ``1e400``)."""
    value = claims.get(name)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return None if isinstance(value, float) and not math.isfinite(value) else int(value)


def _unusable_claims(claims: dict[str, Any]) -> list[str]:
    """Time claims that are present but not a usable NumericDate: a verifier cannot honour them."""
    return [name for name in TIME_CLAIMS if name in claims and _int_claim(claims, name) is None]


def secret_search(token: Token, words: list[str]) -> tuple[dict[str, Any], str | None]:
    """Facts about the wordlist search, and the secret (for in-memory use only)."""
    if not token.alg.upper().startswith("HS"):
        return {"status": SubStatus.SKIPPED, "reason": f"alg {token.alg or '(missing)'} is not HMAC"}, None
    if token.alg not in ("HS256", "HS384", "HS512"):
        return {"status": SubStatus.SKIPPED, "reason": f"unsupported HMAC variant {token.alg}"}, None
    secret = crack(token, words)
    facts: dict[str, Any] = {"status": SubStatus.OK, "candidates": len(words) + 1, "found": secret is not None}
    if secret is not None:  # the secret itself, or any part of it, is never recorded
        facts["secret_length"] = len(secret)
    return facts, secret


def analyse(token: Token, source: str, words: list[str], now: float | None = None) -> tuple[dict[str, Any], str | None]:
    """Observations about one token; the cracked secret is returned, never recorded."""
    now = now or time.time()
    exp, iat = _int_claim(token.claims, "exp"), _int_claim(token.claims, "iat")
    search, secret = secret_search(token, words)
    claim_values = json.dumps(token.claims, ensure_ascii=False, default=str)
    facts: dict[str, Any] = {
        "key": token.fingerprint,
        "source": source,
        "status": SubStatus.OK,
        "alg": token.alg,
        "typ": str(token.header.get("typ", "")),
        "signature_length": len(token.signature),
        "header_params": sorted(token.header),
        "claim_names": sorted(token.claims),
        "has_exp": exp is not None,
        "has_iat": iat is not None,
        "has_nbf": "nbf" in token.claims,
        "unusable_claims": _unusable_claims(token.claims),
        "lifetime_known": exp is not None and iat is not None,
        "lifetime_s": (exp - iat) if exp is not None and iat is not None else 0,
        "expired": exp is not None and exp < now,
        "secret_search": search,
        "claims_personal_data": personal_data(claim_values),
    }
    for name in KEY_HEADERS:
        facts[f"{name}_present"] = name in token.header
    return facts, secret


def _analysed(token: Token, source: str, words: list[str]) -> dict[str, Any]:
    return analyse(token, source, words)[0]


def token_facts(candidates: list[tuple[str, str]], words: list[str]) -> list[dict[str, Any]]:
    """Observations for each distinct (raw token, source), one token per source so keys stay stable."""
    out: list[dict[str, Any]] = []
    done: set[str] = set()
    for raw, source in candidates:
        token = decode(raw)
        if token is None or token.fingerprint in done or source in done:
            continue
        done.update((token.fingerprint, source))
        # one token that cannot be analysed is inconclusive on its own, under its own key
        out.append({"key": token.fingerprint, "source": source,
                    **subcheck(f"token {source}", partial(_analysed, token, source, words))})
    return out
