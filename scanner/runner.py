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
) -> list[Facts]:
    """Observe every target with every applicable probe; results keep target order."""
    jobs = [(t, p) for t in targets for p in probes if p.applies_to(t)]
    results: dict[tuple[str, str], Facts] = {}
    for target in targets:
        if not any(p.applies_to(target) for p in probes):
            results[(target.id, "none")] = Facts(
                probe="none", target_id=target.id, status="inconclusive",
                reason="no probe applies to this target",
            )
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = {pool.submit(observe, p, t, ctx): (t.id, p.name) for t, p in jobs}
        for future in as_completed(futures):
            facts = future.result()
            results[futures[future]] = facts
            if on_facts:
                on_facts(facts)
    order = {t.id: i for i, t in enumerate(targets)}
    return sorted(results.values(), key=lambda f: (order.get(f.target_id, 0), f.probe))
