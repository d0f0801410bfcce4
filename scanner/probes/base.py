"""The contract every probe follows: observe a target, return JSON-able facts."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Protocol

from scanner.model import Target
from scanner.politeness import HostGate
from scanner.scope import Scope


class ProbeInconclusive(Exception):
    """Raised by a probe that could not observe its target; the message says why."""


@dataclass
class ProbeContext:
    """What a probe may use besides its target: politeness, scope and settings."""

    gate: HostGate = field(default_factory=HostGate)
    scope: Scope = field(default_factory=Scope.allow_all)
    proxy: str | None = None  # explicit HTTP(S) proxy; the environment's proxies are never used

    @property
    def timeout(self) -> float:
        return self.gate.policy.timeout_s

    def secret(self, env_name: str) -> str:
        """Read a credential from the environment; empty string when unset."""
        return os.environ.get(env_name, "") if env_name else ""


class Probe(Protocol):
    """A probe observes; it never judges. Rules in ``rules/*.yaml`` judge its facts."""

    name: str

    def applies_to(self, target: Target) -> bool:
        """Whether this probe has anything to observe on ``target``."""
        ...

    def run(self, target: Target, ctx: ProbeContext) -> dict[str, Any]:
        """Observe ``target`` and return plain facts; raise ProbeInconclusive if unable."""
        ...
