"""Credential recipes: turn the profile's auth options into request credentials."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from scanner.probes.auth.tokens import Token, decode


@dataclass(frozen=True)
class Credentials:
    """What an authenticated request carries. Held in memory only, never in facts."""

    recipe: str
    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)
    basic: tuple[str, str] | None = None
    token: Token | None = None
    token_cookie: str = ""  # cookie name carrying the JWT, when it is not a bearer header

    def with_token(self, raw: str) -> Credentials:
        """The same credentials with the JWT replaced by ``raw`` (a forged variant)."""
        if self.token_cookie:
            return replace(self, cookies={**self.cookies, self.token_cookie: raw})
        return replace(self, headers={**self.headers, "Authorization": f"Bearer {raw}"})


def bearer(value: str) -> Credentials:
    raw = value.removeprefix("Bearer ").strip()
    return Credentials("bearer", headers={"Authorization": f"Bearer {raw}"}, token=decode(raw))


def basic(user: str, password: str) -> Credentials:
    return Credentials("basic", basic=(user, password))


def cookie_header(value: str, recipe: str = "cookie") -> Credentials:
    """Credentials from a ``name=value; name2=value2`` cookie string."""
    cookies: dict[str, str] = {}
    for part in value.split(";"):
        name, sep, val = part.strip().partition("=")
        if sep and name:
            cookies[name] = val
    return from_cookies(cookies, recipe)


def from_cookies(cookies: dict[str, str], recipe: str) -> Credentials:
    """Cookie credentials; a cookie holding a JWT becomes the token under test."""
    for name, val in cookies.items():
        token = decode(val)
        if token is not None:
            return Credentials(recipe, cookies=dict(cookies), token=token, token_cookie=name)
    return Credentials(recipe, cookies=dict(cookies))
