"""The request variants sent to each endpoint, built from the credentials under test."""

from __future__ import annotations

import time
from dataclasses import dataclass

from scanner.probes.auth.recipes import Credentials
from scanner.probes.auth.tokens import NONE_CASINGS, expired_claims, hmac_signed, tampered, unsigned

ASYMMETRIC = ("RS", "PS", "ES", "Ed")


@dataclass(frozen=True)
class Variant:
    """One way of asking: credentials to send (None = none at all) or why it was skipped."""

    name: str
    credentials: Credentials | None
    skip_reason: str = ""
    alg: str = ""


def build(creds: Credentials | None, secret: str | None, public_key: bytes | None) -> list[Variant]:
    """no-credentials, tampered-signature, expired-token, alg-none (4 casings), weak-secret, key-confusion."""
    out = [Variant("no-credentials", None)]
    if creds is None:
        return out
    token = creds.token
    if token is None:
        reason = f"the {creds.recipe} credential is not a JWT"
        return out + [Variant(n, None, reason) for n in ("tampered-signature", "expired-token", "alg-none",
                                                            "weak-secret", "key-confusion")]
    out.append(Variant("tampered-signature", creds.with_token(tampered(token))))
    if secret is not None:
        forged = hmac_signed(token.header, expired_claims(token.claims), secret.encode(), token.alg)
        out.append(Variant("expired-token", creds.with_token(forged)))
    else:
        out.append(Variant("expired-token", None, "signing key unknown: an expired token is re-signed only "
                                                  "when the key is known (e.g. a cracked HS secret)"))
    out.extend(Variant("alg-none", creds.with_token(unsigned(token, alg)), alg=alg) for alg in NONE_CASINGS)
    if secret is not None:
        claims = {**token.claims, "iat": int(time.time())}
        if "exp" in claims:
            claims["exp"] = int(time.time()) + 600
        forged = hmac_signed(token.header, claims, secret.encode(), token.alg)
        out.append(Variant("weak-secret", creds.with_token(forged)))
    else:
        out.append(Variant("weak-secret", None, "no HMAC secret from the wordlist matched the token"))
    if public_key is None:
        out.append(Variant("key-confusion", None, "no public_key_file given"))
    elif not token.alg.startswith(ASYMMETRIC):
        out.append(Variant("key-confusion", None, f"token alg {token.alg} is not asymmetric"))
    else:
        forged = hmac_signed(token.header, token.claims, public_key, "HS256")
        out.append(Variant("key-confusion", creds.with_token(forged), alg="HS256"))
    return out
