"""Schema of ``[targets.options.auth]`` in a scan profile (see docs/facts/auth.md)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from scanner.probes.base import ProbeInconclusive, VerifyOptions

ENV_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"
MAX_LOGIN_ATTEMPTS = 20
MAX_ENDPOINTS = 50
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EndpointOption(_Strict):
    """One endpoint to test; ``url`` is absolute or relative to the target location."""

    method: Literal["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] = "GET"
    url: str = Field(min_length=1)
    marker: str = ""


class LoginOption(_Strict):
    """A login form: the probe posts user + password and keeps the session cookies."""

    url: str = Field(min_length=1)
    user_field: str = Field(default="username", min_length=1)
    password_field: str = Field(default="password", min_length=1)
    user: str = Field(min_length=1)
    password_env: str = Field(pattern=ENV_NAME)
    success_marker: str = ""


class AuthOptions(_Strict):
    """Everything the auth probe can be told about a target."""

    endpoints: list[EndpointOption] = Field(default_factory=list, max_length=MAX_ENDPOINTS)
    openapi: str = ""
    bearer_env: str = Field(default="", pattern=r"^([A-Za-z_][A-Za-z0-9_]*)?$")
    basic_user: str = ""
    basic_password_env: str = Field(default="", pattern=r"^([A-Za-z_][A-Za-z0-9_]*)?$")
    cookie_env: str = Field(default="", pattern=r"^([A-Za-z_][A-Za-z0-9_]*)?$")
    login: LoginOption | None = None
    public_key_file: str = ""
    login_rate_limit_attempts: int = Field(default=0, ge=0, le=MAX_LOGIN_ATTEMPTS)
    length_tolerance: float = Field(default=0.1, ge=0.0, le=1.0)
    wordlist: str = ""
    unsafe_methods: bool = False

    @model_validator(mode="after")
    def _one_recipe(self) -> AuthOptions:
        recipes = [n for n, on in (
            ("bearer_env", bool(self.bearer_env)),
            ("basic_user", bool(self.basic_user or self.basic_password_env)),
            ("cookie_env", bool(self.cookie_env)),
            ("login", self.login is not None),
        ) if on]
        if len(recipes) > 1:
            raise ValueError(f"choose one credential recipe, got {', '.join(recipes)}")
        if bool(self.basic_user) != bool(self.basic_password_env):
            raise ValueError("basic_user and basic_password_env must be given together")
        if self.login_rate_limit_attempts and self.login is None:
            raise ValueError("login_rate_limit_attempts needs a [login] form")
        for index, endpoint in enumerate(self.endpoints):
            if endpoint.method not in SAFE_METHODS and not self.unsafe_methods:
                raise ValueError(f"endpoints[{index}].method: {endpoint.method} may change data and is replayed "
                                 "with forged tokens; set unsafe_methods = true to allow it")
        return self

    @property
    def recipe(self) -> str:
        """Name of the credential recipe in use, or ``none``."""
        if self.bearer_env:
            return "bearer"
        if self.basic_user:
            return "basic"
        if self.cookie_env:
            return "cookie"
        return "login" if self.login else "none"


class AuthTargetOptions(VerifyOptions):
    """The auth probe's part of a target's options: the ``[targets.options.auth]`` table, and how
    certificates are verified (``verify_tls``, ``ca_bundle``, shared with the http probe)."""

    auth: AuthOptions | None = None


def _field_path(loc: tuple[int | str, ...]) -> str:
    path = "auth"
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def parse_options(raw: Any) -> AuthOptions:
    """Validate the ``auth`` table; raise ProbeInconclusive naming the bad field."""
    if not isinstance(raw, dict):
        raise ProbeInconclusive("options.auth: must be a table")
    try:
        return AuthOptions.model_validate(raw)
    except ValidationError as exc:
        problems = [f"options.{_field_path(e['loc'])}: {e['msg']}" for e in exc.errors()]
        raise ProbeInconclusive("invalid auth options: " + "; ".join(problems)) from exc
