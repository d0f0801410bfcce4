"""TOML scan profiles: targets with agency tags, scope, politeness limits and thresholds."""

from __future__ import annotations

import difflib
import re
import tomllib
import typing
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from scanner.errors import PindaiError
from scanner.followup.states import DEFAULT_SLA
from scanner.judging.suppressions import SuppressionError, Suppressions, load_suppressions
from scanner.model import Exposure, Target
from scanner.probes import OptionsError, checked_options
from scanner.running.politeness import PolitenessPolicy
from scanner.running.scope import Scope
from scanner.targets import TargetError, parse_target

if TYPE_CHECKING:
    from scanner.inventory import Inventory, RowProblem


class ProfileError(PindaiError):
    """A profile that cannot be used; the message names the file and the field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TargetEntry(_Strict):
    target: str = Field(min_length=1)
    agency: str = ""
    exposure: Exposure = Exposure.UNKNOWN
    name: str = ""
    password_env: str = Field(default="", pattern=r"^([A-Z_][A-Z0-9_]*)?$")
    zone: str = Field(default="", pattern=r"^[a-z0-9_-]*$")
    options: dict[str, Any] = Field(default_factory=dict)
    """Probe options: each probe's options model checks its own (scanner.probes.checked_options)."""


class ScopeEntry(_Strict):
    allow: list[str] = Field(default_factory=list)
    allow_private: bool = False  # wildcard-matched names may resolve to private addresses (scanner.net.resolve)

    def scope(self) -> Scope:
        return Scope(tuple(self.allow), allow_private=self.allow_private)


class PolitenessEntry(_Strict):
    per_host_concurrency: int = Field(default=5, ge=1, le=64)
    requests_per_second: float = Field(default=0.0, ge=0, le=1000)  # 0: no fixed rate, adaptive back-off only
    timeout: float = Field(default=10.0, gt=0, le=300)
    global_rate: float = Field(default=0.0, ge=0, le=10000)  # requests per second across all services; 0: none


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
    """Where new findings at or above ``min_severity`` are announced, and how agencies get their reports."""

    min_severity: Literal["critical", "high", "medium", "low", "info"] = "high"
    digest: Literal["new", "always"] = "new"  # the officer's message: only when something is new, or every run
    webhook_url: str = ""
    slack_webhook_url: str = ""
    telegram_token_env: str = Field(default="", pattern=r"^([A-Z_][A-Z0-9_]*)?$")
    telegram_chat_id: str = ""
    telegram_api_url: str = "https://api.telegram.org"
    smtp_host: str = ""
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_user: str = ""
    smtp_password_env: str = Field(default="", pattern=r"^([A-Z_][A-Z0-9_]*)?$")
    smtp_starttls: bool = False
    smtp_tls: bool = False  # implicit TLS (port 465)
    smtp_login_without_tls: bool = False  # the operator's explicit choice to send the SMTP password in clear
    mail_from: str = ""
    mail_to: list[str] = Field(default_factory=list)
    agency_mail: bool = False  # each agency's inventory contacts get their own report
    dashboard_url: str = ""  # named in agency mails
    retry_hours: float = Field(default=72.0, gt=0, le=24 * 60)  # undelivered messages are retried this long
    timeout: float = Field(default=10.0, gt=0, le=300)  # seconds per connection or answer

    @model_validator(mode="after")
    def _login_needs_tls(self) -> NotifyEntry:
        if self.smtp_user and not (self.smtp_starttls or self.smtp_tls or self.smtp_login_without_tls):
            raise ValueError("smtp_user without smtp_starttls = true or smtp_tls = true would send the SMTP password "
                             "in clear; turn TLS on (or set smtp_login_without_tls = true to accept that) / "
                             "login SMTP tanpa TLS mengirim kata sandi tanpa enkripsi: aktifkan smtp_starttls")
        return self


ReportFormat = Literal["html", "json", "sarif", "junit", "csv", "markdown"]


class ReportsEntry(_Strict):
    """``[reports]``: the dated folder each scheduled run writes (``pindai daemon``)."""

    dir: str = "laporan"  # relative to the profile
    formats: list[ReportFormat] = Field(default_factory=lambda: list[ReportFormat](("html", "json")))
    keep: int = Field(default=26, ge=1, le=10_000)  # run folders kept; older ones are removed


class InventoryEntry(_Strict):
    """``[inventory]``: a CSV or XLSX asset list (path relative to the profile) whose rows are targets."""

    file: str = Field(min_length=1)


class SlaEntry(_Strict):
    """Days to fix a finding, per severity, from first sight (``pindai findings``, ``pindai serve``)."""

    critical: int = Field(default=DEFAULT_SLA["critical"], ge=1)
    high: int = Field(default=DEFAULT_SLA["high"], ge=1)
    medium: int = Field(default=DEFAULT_SLA["medium"], ge=1)
    low: int = Field(default=DEFAULT_SLA["low"], ge=1)


class AuditEntry(_Strict):
    """Workpaper metadata printed in every report (``[audit]``); ``--operator``/``--authorisation`` override."""

    operator: str = ""
    authorisation: str = ""  # e.g. the surat tugas number
    unit: str = ""
    timezone: str = "Asia/Jakarta"
    personal_data: bool | None = None  # the system processes personal data (cites UU PDP without observing it)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (e.g. Asia/Jakarta, Asia/Makassar, Asia/Jayapura)") from exc
        return value


class ProfileSpec(_Strict):
    """The schema of a profile file."""

    name: str = ""
    lang: Literal["id", "en"] = "id"
    scope: ScopeEntry = Field(default_factory=ScopeEntry)
    politeness: PolitenessEntry = Field(default_factory=PolitenessEntry)
    thresholds: ThresholdsEntry = Field(default_factory=ThresholdsEntry)
    schedule: ScheduleEntry | None = None
    notify: NotifyEntry = Field(default_factory=NotifyEntry)
    audit: AuditEntry = Field(default_factory=AuditEntry)
    reports: ReportsEntry = Field(default_factory=ReportsEntry)
    sla: SlaEntry = Field(default_factory=SlaEntry)
    suppressions: str = ""
    ignore_inline_suppressions: bool = False  # report findings on `# nosec` lines as open (bandit --ignore-nosec)
    inventory: InventoryEntry | None = None
    targets: list[TargetEntry] = Field(default_factory=list)

    @model_validator(mode="after")
    def _has_targets(self) -> ProfileSpec:
        if not self.targets and self.inventory is None:
            raise ValueError("targets: Field required (add [[targets]] entries or an [inventory] file)")
        return self


class Profile:
    """A loaded, validated profile with its targets resolved."""

    def __init__(self, path: Path, spec: ProfileSpec, targets: list[Target],
                 suppressions: Suppressions | None = None, inventory: Inventory | None = None) -> None:
        self.path = path
        self.spec = spec
        self.targets = targets
        self.suppressions = suppressions
        self.inventory = inventory

    @property
    def inventory_problems(self) -> list[RowProblem]:
        """Inventory rows that are not scanned (malformed, duplicated, outside the declared scope)."""
        return self.inventory.problems if self.inventory else []

    def contacts(self) -> dict[str, tuple[str, ...]]:
        """Owner e-mail addresses per agency, from the inventory's contact column."""
        found: dict[str, dict[str, None]] = {}
        for target in self.targets:
            found.setdefault(target.agency, {}).update(dict.fromkeys(target.contacts))
        return {agency: tuple(addresses) for agency, addresses in found.items() if addresses}

    @property
    def scope(self) -> Scope:
        """``[scope] allow`` when declared; otherwise the inventory's hosts are the scope."""
        return _scope(self.spec, self.inventory)

    @property
    def politeness(self) -> PolitenessPolicy:
        p = self.spec.politeness
        return PolitenessPolicy(p.per_host_concurrency, p.requests_per_second, p.timeout, p.global_rate)

    def summary(self) -> dict[str, Any]:
        """What a report shows about the profile (no credentials)."""
        return {
            "path": str(self.path),
            "name": self.spec.name,
            "scope": list(self.spec.scope.allow),
            "politeness": self.spec.politeness.model_dump(),
            "sla": self.spec.sla.model_dump(),
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


def _scope(spec: ProfileSpec, inventory: Inventory | None) -> Scope:
    if spec.scope.allow or inventory is None:
        return Scope(tuple(spec.scope.allow))
    return inventory.scope


def _inventory(path: Path, spec: ProfileSpec) -> Inventory | None:
    """The profile's ``[inventory]``, narrowed to ``[scope] allow`` when one is declared."""
    if spec.inventory is None:
        return None
    from scanner.inventory import InventoryError, outside_scope, read_inventory

    try:
        inventory = read_inventory(path.parent / spec.inventory.file, base_dir=path.parent)
    except InventoryError as exc:
        raise ProfileError(f"{path}: inventory: {exc}") from exc
    return outside_scope(inventory, Scope(tuple(spec.scope.allow))) if spec.scope.allow else inventory


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
        problems = [f"{path}: {_field_path(e['loc']) + ': ' if e['loc'] else ''}{e['msg']}{_suggestion(e)}"
                    for e in exc.errors()]
        raise ProfileError("\n".join(problems)) from exc
    lines = _target_lines(text)
    inventory = _inventory(path, spec)
    scope = _scope(spec, inventory)
    targets: list[Target] = []
    bad_options: list[str] = []
    for index, entry in enumerate(spec.targets):
        line = lines[index] if index < len(lines) else 0
        where = f"{path}: targets[{index}]"
        try:
            options = checked_options(entry.options)
        except OptionsError as exc:  # every target's bad options are named together
            bad_options += [f"{where}.options.{field}: {message}" for field, message in exc.problems]
            continue
        try:
            target = parse_target(
                entry.target,
                agency=entry.agency,
                exposure=entry.exposure,
                name=entry.name,
                password_env=entry.password_env,
                options=options,
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
    if bad_options:
        raise ProfileError("\n".join(bad_options))
    declared = {t.id for t in targets}
    targets += [t for t in (inventory.targets if inventory else []) if t.id not in declared]
    suppressions = None
    if spec.suppressions:
        try:
            suppressions = load_suppressions(path.parent / spec.suppressions)
        except SuppressionError as exc:
            raise ProfileError(f"{path}: suppressions: {exc}") from exc
    return Profile(path, spec, targets, suppressions, inventory)
