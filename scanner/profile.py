"""TOML scan profiles: targets with agency tags, scope, politeness limits and thresholds."""

from __future__ import annotations

import difflib
import re
import tomllib
import typing
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError, field_validator

from scanner.model import Exposure, Target
from scanner.politeness import PolitenessPolicy
from scanner.probes.database.scope import compile_patterns
from scanner.scope import Scope
from scanner.suppressions import SuppressionError, Suppressions, load_suppressions
from scanner.targets import TargetError, parse_target


class ProfileError(Exception):
    """A profile that cannot be used; the message names the file and the field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DatabaseOptions(_Strict):
    """``options.database`` of a database target: what the scan may read (see docs/facts/database.md)."""

    include: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)
    read_data: StrictBool = True

    @field_validator("include", "exclude")
    @classmethod
    def _valid_patterns(cls, value: list[str]) -> list[str]:
        compile_patterns(value)  # ScopeError is a ValueError: reported with the field's path
        return value


class TargetOptions(BaseModel):
    """Probe options of one target: the known ones are type- and range-checked here, so that
    ``tls_timeout = "x"`` or ``sample_rows = -5`` is a profile error naming the field, not a
    traceback or ``LIMIT -5``. Defaults stay with the probes (an option not written is not
    passed on); options this model does not know pass through unchanged."""

    model_config = ConfigDict(extra="allow")

    sample_rows: int | None = Field(default=None, ge=1, le=100_000)
    max_tables: int | None = Field(default=None, ge=1, le=100_000)
    sample_seed: int | str | None = None
    max_bytes: int | None = Field(default=None, ge=1)
    max_pages: int | None = Field(default=None, ge=0, le=1000)
    pages: list[str] | None = None
    cors_paths: list[str] | None = None
    judol_pages: int | None = Field(default=None, ge=0, le=100)
    exposures: bool | None = None
    verify_tls: bool | None = None
    ca_bundle: str | None = None
    http_port: int | None = Field(default=None, ge=1, le=65535)
    tls: bool | None = None
    tls_port: int | None = Field(default=None, ge=1, le=65535)
    tls_timeout: float | None = Field(default=None, gt=0, le=300)
    starttls: str | None = None
    sni: str | None = None
    ca_file: str | None = None
    auth: dict[str, Any] | None = None
    database: DatabaseOptions | None = None

    def given(self) -> dict[str, Any]:
        """Only the options the profile wrote (probes apply their own defaults)."""
        return self.model_dump(exclude_unset=True)


class TargetEntry(_Strict):
    target: str = Field(min_length=1)
    agency: str = ""
    exposure: Exposure = Exposure.UNKNOWN
    name: str = ""
    password_env: str = Field(default="", pattern=r"^([A-Z_][A-Z0-9_]*)?$")
    zone: str = Field(default="", pattern=r"^[a-z0-9_-]*$")
    options: TargetOptions = Field(default_factory=TargetOptions)


class ScopeEntry(_Strict):
    allow: list[str] = Field(default_factory=list)


class PolitenessEntry(_Strict):
    per_host_concurrency: int = Field(default=5, ge=1, le=64)
    requests_per_second: float = Field(default=0.0, ge=0, le=1000)  # 0: no fixed rate, adaptive back-off only
    timeout: float = Field(default=10.0, gt=0, le=300)


class ThresholdsEntry(_Strict):
    fail_on: Literal["critical", "high", "medium", "low", "info", "none"] = "none"


class ScheduleEntry(_Strict):
    """When ``pindai daemon`` runs this profile (cron syntax, evaluated by croniter)."""

    cron: str = Field(min_length=9)
    timezone: str = "Asia/Jakarta"

    @field_validator("cron")
    @classmethod
    def _valid_cron(cls, value: str) -> str:
        from croniter import croniter

        if not croniter.is_valid(value):
            raise ValueError(f"{value!r} is not a valid cron expression (e.g. '0 2 * * 1')")
        return value


class NotifyEntry(_Strict):
    """Where new findings at or above ``min_severity`` are announced."""

    min_severity: Literal["critical", "high", "medium", "low", "info"] = "high"
    webhook_url: str = ""
    smtp_host: str = ""
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_user: str = ""
    smtp_password_env: str = Field(default="", pattern=r"^([A-Z_][A-Z0-9_]*)?$")
    smtp_starttls: bool = False
    mail_from: str = ""
    mail_to: list[str] = Field(default_factory=list)


class ProfileSpec(_Strict):
    """The schema of a profile file."""

    name: str = ""
    lang: Literal["id", "en"] = "id"
    scope: ScopeEntry = Field(default_factory=ScopeEntry)
    politeness: PolitenessEntry = Field(default_factory=PolitenessEntry)
    thresholds: ThresholdsEntry = Field(default_factory=ThresholdsEntry)
    schedule: ScheduleEntry | None = None
    notify: NotifyEntry = Field(default_factory=NotifyEntry)
    suppressions: str = ""
    targets: list[TargetEntry] = Field(min_length=1)


class Profile:
    """A loaded, validated profile with its targets resolved."""

    def __init__(self, path: Path, spec: ProfileSpec, targets: list[Target],
                 suppressions: Suppressions | None = None) -> None:
        self.path = path
        self.spec = spec
        self.targets = targets
        self.suppressions = suppressions

    @property
    def scope(self) -> Scope:
        return Scope(tuple(self.spec.scope.allow))

    @property
    def politeness(self) -> PolitenessPolicy:
        p = self.spec.politeness
        return PolitenessPolicy(p.per_host_concurrency, p.requests_per_second, p.timeout)

    def summary(self) -> dict[str, Any]:
        """What a report shows about the profile (no credentials)."""
        return {
            "path": str(self.path),
            "name": self.spec.name,
            "scope": list(self.spec.scope.allow),
            "politeness": self.spec.politeness.model_dump(),
        }


def _field_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def _target_lines(text: str) -> list[int]:
    """Line number of each ``[[targets]]`` entry's ``target =`` line (its header if absent), in order."""
    lines: list[int] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if re.match(r"\s*\[\[\s*targets\s*\]\]", line):
            lines.append(number)
        elif lines and re.match(r"\s*target\s*=", line):
            lines[-1] = number
    return lines


def _field_names(model: type[BaseModel], seen: set[type[BaseModel]] | None = None) -> set[str]:
    """Every key a profile may use, at any depth (the vocabulary for did-you-mean)."""
    seen = seen if seen is not None else set()
    seen.add(model)
    names: set[str] = set()
    for name, info in model.model_fields.items():
        names.add(info.alias or name)
        for inner in (*typing.get_args(info.annotation), info.annotation):
            for candidate in (*typing.get_args(inner), inner):
                if isinstance(candidate, type) and issubclass(candidate, BaseModel) and candidate not in seen:
                    names |= _field_names(candidate, seen)
    return names


def _suggestion(error: Any) -> str:
    """`` (did you mean 'politeness'?)`` for an unknown key close to a known one."""
    if error.get("type") != "extra_forbidden" or not error.get("loc"):
        return ""
    close = difflib.get_close_matches(str(error["loc"][-1]), sorted(_field_names(ProfileSpec)), n=1, cutoff=0.75)
    return f" (did you mean {close[0]!r}? / maksud Anda {close[0]!r}?)" if close else ""


def load_profile(path: Path) -> Profile:
    """Read, validate and resolve a profile; raise ProfileError naming file and field."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ProfileError(f"{path}: cannot read profile: {exc.strerror}") from exc
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{path}: invalid TOML: {exc}") from exc
    try:
        spec = ProfileSpec.model_validate(raw)
    except ValidationError as exc:
        problems = [f"{path}: {_field_path(e['loc'])}: {e['msg']}{_suggestion(e)}" for e in exc.errors()]
        raise ProfileError("\n".join(problems)) from exc
    lines = _target_lines(text)
    scope = Scope(tuple(spec.scope.allow))
    targets: list[Target] = []
    for index, entry in enumerate(spec.targets):
        line = lines[index] if index < len(lines) else 0
        where = f"{path}: targets[{index}]"
        try:
            target = parse_target(
                entry.target,
                agency=entry.agency,
                exposure=entry.exposure,
                name=entry.name,
                password_env=entry.password_env,
                options=entry.options.given(),
                zone=entry.zone,
                declared_at=f"{path}:{line}" if line else str(path),
                base_dir=path.parent,
            )
        except TargetError as exc:
            raise ProfileError(f"{where}.target: {exc}") from exc
        if target.host and not scope.allows(target.host):
            raise ProfileError(
                f"{where}.target: host {target.host!r} is outside the scope allowlist {spec.scope.allow}; "
                "add it to [scope] allow or remove the target"
            )
        targets.append(target)
    suppressions = None
    if spec.suppressions:
        try:
            suppressions = load_suppressions(path.parent / spec.suppressions)
        except SuppressionError as exc:
            raise ProfileError(f"{path}: suppressions: {exc}") from exc
    return Profile(path, spec, targets, suppressions)
