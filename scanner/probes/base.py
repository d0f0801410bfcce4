"""The contract every probe follows: observe a target, return JSON-able facts."""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field
from typing import Any, Protocol

from scanner.model import COVERAGE_KEY, CoverageLimit, Target
from scanner.net.reachability import Reachability
from scanner.net.session import UNVERIFIED
from scanner.politeness import HostGate
from scanner.scope import Scope


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
