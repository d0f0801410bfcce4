"""Helpers for server checks: each check is observed on its own and may be inconclusive."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from scanner.probes.base import SubStatus, subcheck
from scanner.probes.database.connect import Endpoint, short_error

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def guarded(fn: Callable[[], dict[str, Any]], ep: Endpoint) -> dict[str, Any]:
    """Run one check; a failure (e.g. permission denied) becomes ``{"status": SubStatus.INCONCLUSIVE}``."""

    def explain(exc: Exception) -> str:
        message = short_error(exc, ep)
        return f"permission denied: {message}" if _denied(message) else message

    return subcheck(getattr(fn, "__name__", "check"), lambda: {"status": SubStatus.OK, **fn()}, explain)


def _denied(message: str) -> bool:
    lowered = message.lower()
    return any(w in lowered for w in ("permission denied", "access denied", "command denied", "must be superuser",
                                      "insufficient privilege"))


def plaintext_verdict_from_error(message: str) -> bool | None:
    """Did a non-TLS connection attempt fail because the server refuses plaintext?

    True: refused for lack of encryption; False: plaintext transport was accepted (the
    failure came later, e.g. authentication); None: cannot tell.
    """
    lowered = message.lower()
    refusals = ("no encryption", "secure transport", "insecure transport", "ssl is required", "requires ssl",
                "require_secure_transport", "hostssl")
    if any(w in lowered for w in refusals):
        return True
    if any(w in lowered for w in ("password authentication failed", "access denied", "authentication failed")):
        return False
    return None
