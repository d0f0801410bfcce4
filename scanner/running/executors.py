"""How a scan's observations are made: one job list, three ways to run it.

:func:`plan` turns targets and probes into the (target, probe) jobs still to do, leaving out the
pairs a resumed scan already has (``skip``); :func:`observe_all` hands that list to an
:class:`Executor` and keeps the results in target order. Three executors observe a job list:

- ``scanner.running.runner.ThreadExecutor``: threads in this process (``_observe_all``);
- ``scanner.running.runner.ShardExecutor``: spawned processes sharded by host (``scanner.running.shards``), threads in
  each; one process is this one;
- ``scanner.running.distributed.CeleryExecutor``: ``pindai worker --zone`` processes through Celery and Redis
  (imported only for ``--distributed``).

Each gives one observation per job, also passed to ``on_facts`` as it arrives (the caller stores it
before it counts), turns every failure into an inconclusive observation, and on KeyboardInterrupt
cancels the work not started and raises.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from typing import NamedTuple, Protocol

from scanner.model import Facts, Target
from scanner.probes.base import Probe, ProbeContext

ProgressCallback = Callable[[Facts], None]
NO_PROBE = "none"  # the probe name of the observation of a target no probe applies to


class Job(NamedTuple):
    """One probe to run on one target."""

    target: Target
    probe: Probe

    @property
    def key(self) -> tuple[str, str]:
        """(target id, probe name): what ``skip`` and the store know an observation by."""
        return self.target.id, self.probe.name


class Executor(Protocol):
    """Observes a job list (see the module's docstring for the three implementations)."""

    def observe(self, jobs: Sequence[Job], ctx: ProbeContext, on_facts: ProgressCallback) -> list[Facts]:
        """One observation per job, each also passed to ``on_facts`` as it arrives, in any order."""
        ...


@dataclass(frozen=True)
class Plan:
    """What a scan still has to observe (``jobs``), and what it cannot (``unobservable``: an inconclusive
    observation of each target no probe applies to)."""

    jobs: list[Job]
    unobservable: list[Facts]


def plan(targets: Sequence[Target], probes: Sequence[Probe], skip: Collection[tuple[str, str]] = ()) -> Plan:
    """Every probe that applies to each target, in target then probe order, minus the (target id, probe)
    pairs in ``skip`` (a resumed scan's observations). A target listed twice is observed once."""
    jobs: dict[tuple[str, str], Job] = {}
    unobservable: dict[str, Facts] = {}
    for target in targets:
        applicable = [p for p in probes if p.applies_to(target)]
        if not applicable and (target.id, NO_PROBE) not in skip:
            unobservable.setdefault(target.id, Facts(probe=NO_PROBE, target_id=target.id, status="inconclusive",
                                                     reason="no probe applies to this target"))
        for probe in applicable:
            if (target.id, probe.name) not in skip:
                jobs.setdefault((target.id, probe.name), Job(target, probe))
    return Plan(list(jobs.values()), list(unobservable.values()))


def in_target_order(facts: Sequence[Facts], targets: Sequence[Target]) -> list[Facts]:
    """``facts`` sorted by their target's place in ``targets``, then by probe name."""
    order = {t.id: i for i, t in enumerate(targets)}
    return sorted(facts, key=lambda f: (order.get(f.target_id, 0), f.probe))


def observe_all(executor: Executor, targets: Sequence[Target], probes: Sequence[Probe], ctx: ProbeContext, *,
                on_facts: ProgressCallback | None = None, skip: Collection[tuple[str, str]] = ()) -> list[Facts]:
    """Observe every target with every applicable probe through ``executor``, except the pairs in ``skip``.

    The scan's ``--max-time`` clock starts here (``CLOCK_MONOTONIC``: the same in shard processes).
    Results keep target order. On interruption (Ctrl-C, SIGTERM) queued work is cancelled at once;
    observations already reported through ``on_facts`` are kept by the caller.
    """
    if ctx.max_time_s is not None and ctx.deadline_at is None:
        ctx = replace(ctx, deadline_at=time.monotonic() + ctx.max_time_s)
    work = plan(targets, probes, skip)
    report = on_facts or _ignore
    for facts in work.unobservable:
        report(facts)
    observed = executor.observe(work.jobs, ctx, report) if work.jobs else []
    return in_target_order([*work.unobservable, *observed], targets)


def _ignore(facts: Facts) -> None:
    return None
