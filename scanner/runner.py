"""Run probes over targets concurrently; every failure becomes an inconclusive observation."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import UTC, datetime

from scanner.model import Facts, Target
from scanner.probes.base import Probe, ProbeContext, ProbeInconclusive

log = logging.getLogger(__name__)

ProgressCallback = Callable[[Facts], None]


def observe(probe: Probe, target: Target, ctx: ProbeContext) -> Facts:
    """Run one probe on one target. Never raises: problems become ``inconclusive`` facts."""
    started = datetime.now(UTC).isoformat(timespec="seconds")
    clock = time.monotonic()
    facts = Facts(probe=probe.name, target_id=target.id, started_at=started)
    if target.host and not ctx.scope.allows(target.host):
        facts.status, facts.reason = "inconclusive", f"host {target.host} is outside the scan scope"
        return facts
    try:
        facts.data = probe.run(target, ctx)
    except ProbeInconclusive as exc:
        facts.status, facts.reason = "inconclusive", str(exc)
    except Exception as exc:  # a probe bug must not lose other targets' results
        log.exception("probe %s failed on %s", probe.name, target.id)
        facts.status, facts.reason = "inconclusive", f"internal probe error: {type(exc).__name__}: {exc}"
    facts.duration_s = round(time.monotonic() - clock, 3)
    return facts


def run_probes(
    targets: list[Target],
    probes: list[Probe],
    ctx: ProbeContext,
    *,
    workers: int = 8,
    on_facts: ProgressCallback | None = None,
    skip: set[tuple[str, str]] | None = None,
) -> list[Facts]:
    """Observe every target with every applicable probe, except (target id, probe) pairs in ``skip``.

    Results keep target order. On interruption (Ctrl-C, SIGTERM) queued work is cancelled
    at once; observations already reported through ``on_facts`` are kept by the caller.
    """
    skip = skip or set()
    jobs = [(t, p) for t in targets for p in probes if p.applies_to(t) and (t.id, p.name) not in skip]
    results: dict[tuple[str, str], Facts] = {}
    for target in targets:
        if (target.id, "none") not in skip and not any(p.applies_to(target) for p in probes):
            nothing = Facts(probe="none", target_id=target.id, status="inconclusive",
                            reason="no probe applies to this target")
            results[(target.id, "none")] = nothing
            if on_facts:
                on_facts(nothing)
    pool = ThreadPoolExecutor(max_workers=max(1, workers))
    try:
        futures = {pool.submit(observe, p, t, ctx): (t.id, p.name) for t, p in jobs}
        for future in as_completed(futures):
            facts = future.result()
            results[futures[future]] = facts
            if on_facts:
                on_facts(facts)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    order = {t.id: i for i, t in enumerate(targets)}
    return sorted(results.values(), key=lambda f: (order.get(f.target_id, 0), f.probe))
