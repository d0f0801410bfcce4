"""The contract every probe follows: observe a target, return JSON-able facts.

Each probe package declares its whole contract in one :class:`ProbeSpec` (``SPEC`` in its
``__init__``): its name (spelled nowhere else), the target kinds it serves, the options model
checked when a profile is read, how a finding is reproduced, whether it uses the previous
observation (``--changed-only``). ``scanner.probes.REGISTRY`` lists the packages.
"""

from __future__ import annotations

import fnmatch
import importlib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol, Self

from pydantic import BaseModel, ConfigDict, ValidationError

from scanner.model import COVERAGE_KEY, CoverageLimit, Finding, Reproduction, Target, TargetKind
from scanner.net.reachability import Reachability
from scanner.net.session import UNVERIFIED
from scanner.politeness import HostGate
from scanner.scope import Scope

log = logging.getLogger(__name__)


def record_limit(facts: dict[str, Any], code: str, limit: int, total: int | None = None) -> None:
    """Say in ``facts`` that the cap ``code`` (``limit``; ``total`` when known) cut the observation short.

    Every cap a probe applies to what it reads goes through here: the observation becomes
    partial, each report shows a localised note and the scan cannot exit 0.
    """
    facts.setdefault(COVERAGE_KEY, []).append(CoverageLimit(code, int(limit), total).to_dict())


def record_withheld(facts: dict[str, Any], withheld: dict[str, int]) -> None:
    """Say in ``facts`` how many requests went without the operator's ``--header`` values, by reason.

    Requests withheld for lack of a verified certificate are a coverage limit: the authenticated
    view the operator asked for was not observed.
    """
    if not withheld:
        return
    facts["credentials_withheld"] = dict(sorted(withheld.items()))
    if unverified := withheld.get(UNVERIFIED):
        record_limit(facts, "credentials_unverified_tls", unverified)


DEFAULT_PROBE_TIME_S = 1800.0
DEFAULT_TARGET_TIME_S = 3600.0


class ProbeInconclusive(Exception):
    """Raised by a probe that could not observe its target; the message says why."""


@dataclass
class ProbeContext:
    """What a probe may use besides its target: politeness, scope and settings."""

    gate: HostGate = field(default_factory=HostGate)
    scope: Scope = field(default_factory=Scope.allow_all)
    proxy: str | None = None  # explicit HTTP(S) proxy; the environment's proxies are never used
    user_agent: str | None = None  # replaces each HTTP client's default User-Agent (`--user-agent`)
    headers: tuple[tuple[str, str], ...] = ()  # `--header`: credentials, sent only to the target's own origin
    env_allowed: tuple[str, ...] | None = None  # patterns of readable variables; None: any (local scans)
    # wall-clock limits (scanner.deadline): one probe on one target, all probes of one target, the whole scan
    probe_time_s: float | None = DEFAULT_PROBE_TIME_S
    target_time_s: float | None = DEFAULT_TARGET_TIME_S
    max_time_s: float | None = None  # `scan --max-time`
    deadline_at: float | None = None  # time.monotonic() when the scan's time is up (set from max_time_s)
    # `scan --changed-only`: per target id, the latest complete observation of each probe ({probe: {scan_id, data}})
    previous: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    # checks the loaded rule packs add, per probe name (``checks:`` in a pack; validated by the probe's spec)
    checks: dict[str, tuple[dict[str, Any], ...]] = field(default_factory=dict)
    # one silence check per service, shared by every probe (scanner.net.reachability)
    reachability: Reachability = field(default_factory=Reachability, repr=False, compare=False)

    @property
    def timeout(self) -> float:
        return self.gate.policy.timeout_s

    def secret(self, env_name: str) -> str:
        """Read a credential from the environment; empty string when unset.

        Raises ProbeInconclusive when ``env_allowed`` does not permit the name (a distributed
        worker reads only the variables it was started with ``--allow-env`` for).
        """
        if not env_name:
            return ""
        if self.env_allowed is not None and not any(fnmatch.fnmatchcase(env_name, p) for p in self.env_allowed):
            raise ProbeInconclusive(f"this worker may not read environment variable {env_name}; "
                                    "start it with --allow-env naming that variable")
        return os.environ.get(env_name, "")


class Probe(Protocol):
    """A probe observes; it never judges. Rules in ``rules/*.yaml`` judge its facts."""

    name: str

    def applies_to(self, target: Target) -> bool:
        """Whether this probe has anything to observe on ``target``."""
        ...

    def run(self, target: Target, ctx: ProbeContext) -> dict[str, Any]:
        """Observe ``target`` and return plain facts; raise ProbeInconclusive if unable."""
        ...


class SubStatus(StrEnum):
    """The status of one sub-check inside a probe's facts (``facts.<check>.status``)."""

    OK = "ok"
    INCONCLUSIVE = "inconclusive"  # tried and could not tell (the reason says why)
    SKIPPED = "skipped"  # not tried on this target (switched off, or another observation made it moot)
    NOT_CONFIGURED = "not-configured"  # needs an option the profile did not give


def inconclusive(reason: str, **extra: Any) -> dict[str, Any]:
    """A sub-check record that could not tell, saying why."""
    return {"status": SubStatus.INCONCLUSIVE, "reason": reason, **extra}


def _exception_text(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:300]


def subcheck(name: str, observe: Callable[[], dict[str, Any]],
             explain: Callable[[Exception], str] = _exception_text) -> dict[str, Any]:
    """Run one sub-check; any failure becomes an inconclusive record in its place (``explain`` words
    the reason), so one failing check never loses the probe's other observations."""
    try:
        return observe()
    except Exception as exc:  # a sub-check must not take the others down with it
        log.warning("sub-check %s failed: %s", name, exc)
        return inconclusive(explain(exc))


def _option_path(loc: tuple[int | str, ...]) -> str:
    return "options" + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc)


class ProbeOptions(BaseModel):
    """Base of a probe's options model: checks the target options that probe reads, with their defaults.

    Other probes' options are left to their own models; options no probe knows pass through. A probe
    reads its options only through its model: ``opts = TlsOptions.of(target)``.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    @classmethod
    def of(cls, target: Target) -> Self:
        """``target``'s options as this model reads them (typed, defaults filled in).

        A profile's options were checked when it was read (a bad one exits 2 naming file and field);
        a target built otherwise whose options do not fit makes the probe inconclusive, naming the field.
        """
        try:
            return cls.model_validate(target.options or {})
        except ValidationError as exc:
            problems = "; ".join(f"{_option_path(e['loc'])}: {e['msg']}" for e in exc.errors())
            raise ProbeInconclusive(f"invalid options: {problems}") from None


class VerifyOptions(ProbeOptions):
    """Certificate verification of HTTPS targets: the options the http and auth probes share."""

    verify_tls: bool = True
    ca_bundle: str | None = None

    @property
    def verify(self) -> bool | str:
        """``requests``' ``verify``: the CA bundle to trust, else whether to verify at all."""
        return self.ca_bundle or self.verify_tls


Reproducer = Callable[[Finding, Target, dict[str, Any], tuple[str, ...]], Reproduction]
"""(finding, target, facts of the observation, the fact areas the rule reads) -> Reproduction.
The areas are the names after ``facts.`` in the rule's ``when``, in order (``("server", "settings")``)."""


def evidence_line(evidence: dict[str, Any]) -> int | None:
    """``evidence.line`` as a line number (1 or more), or None."""
    line = evidence.get("line")
    if isinstance(line, bool):
        return None
    try:
        number = int(line)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if number >= 1 else None


def _attribute(path: str) -> Any:
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


@dataclass(frozen=True)
class ProbeSpec:
    """Everything a probe is, declared once in its own package."""

    name: str
    target_kinds: frozenset[TargetKind]
    implementation: str
    """``module:Class`` of the probe, imported only when a scan runs (``pindai rules`` stays fast)."""
    options: str = "scanner.probes.base:ProbeOptions"
    """``module:Model``: the options model, imported when a profile is read."""
    reproduce: str | None = None
    """``module:function``, a :data:`Reproducer`."""
    uses_previous: bool = False
    """``scan --changed-only`` hands the probe its last complete observation of the target."""
    checks: str | None = None
    """``module:Model``: the format of checks a rule pack may add for this probe to run (``checks:``
    in a pack); imported only when a pack has checks."""
    example_target: tuple[TargetKind, str] = (TargetKind.URL, "")
    """A target the probe serves, for rule cases (``pindai rules test``)."""
    facts: str | None = None
    """``module:Model``: the facts model (a ``scanner.probes.facts.ProbeFacts``) describing what ``run``
    returns; its module's ``FACTS_VERSION`` is the facts version. ``docs/facts/<name>.schema.json`` is
    generated from it (``scripts/facts-schemas``)."""

    def load(self) -> Probe:
        probe: Probe = _attribute(self.implementation)()
        return probe

    def options_model(self) -> type[BaseModel]:
        model: type[BaseModel] = _attribute(self.options)
        return model

    def facts_model(self) -> type[BaseModel] | None:
        return None if self.facts is None else _attribute(self.facts)

    def facts_version(self) -> str | None:
        """``FACTS_VERSION`` of the facts model's module: bumped when a field is removed or changes meaning."""
        if self.facts is None:
            return None
        version: str = _attribute(self.facts.partition(":")[0] + ":FACTS_VERSION")
        return version

    def checks_model(self) -> type[BaseModel] | None:
        return None if self.checks is None else _attribute(self.checks)

    def reproducer(self) -> Reproducer | None:
        return None if self.reproduce is None else _attribute(self.reproduce)

