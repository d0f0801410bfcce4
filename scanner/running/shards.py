"""Observe in worker processes sharded by host, so a large scan uses every core.

Probes parse TLS records, HTML and certificates in Python and are bound by one core's GIL. Each
shard is a spawned process running the thread executor over its jobs with its own politeness
gate (``scanner.running.runner.ShardExecutor`` uses this module). All targets of one host go to the same
shard, so that host's concurrency cap, rate and back-off live in one process. Only when there are
fewer hosts than processes (a fleet of ports on one machine) is a host's targets split, and then
its connection budget is divided between the shards (``per_host_concurrency // pieces``, at least
1; the rate likewise), so the host never sees more than the policy allows. The global rate
(``--global-rate``) is not divided: every shard's gate reserves its starts on one clock in shared
memory (``politeness.GlobalPace.shared``), so the shards together keep it exactly.
"""

from __future__ import annotations

import logging
import logging.handlers
import multiprocessing
import os
import queue
import signal
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from scanner.model import Facts, Target
from scanner.probes.base import ProbeContext
from scanner.running.executors import Job
from scanner.running.lifeline import die_with_parent
from scanner.running.politeness import HostGate, PolitenessPolicy

log = logging.getLogger(__name__)

AUTO_MIN_TARGETS = 20  # below this, starting processes (about 0.5 s each) costs more than it saves
MAX_PROCESSES = 8


def process_count(targets: int, requested: int | None) -> int:
    """Processes to use: ``requested``, or all cores (up to 8) for scans of AUTO_MIN_TARGETS or more."""
    if requested is not None:
        return max(1, requested)
    return min(os.cpu_count() or 1, MAX_PROCESSES) if targets >= AUTO_MIN_TARGETS else 1


def shards(targets: list[Target], count: int, policy: PolitenessPolicy) -> list[tuple[list[Target], PolitenessPolicy]]:
    """Split ``targets`` into at most ``count`` shards, each with the politeness policy it must apply."""
    by_host: dict[str, list[Target]] = defaultdict(list)
    for target in targets:
        by_host[target.host or f"local:{target.id}"].append(target)
    groups = sorted(by_host.values(), key=len, reverse=True)
    pieces = max(1, min(count // max(1, len(groups)), policy.per_host_concurrency))
    if pieces > 1:  # fewer hosts than processes: split each host, dividing its budget
        policy = replace(policy, per_host_concurrency=max(1, policy.per_host_concurrency // pieces),
                         requests_per_second=policy.requests_per_second / pieces)
        groups = [group[i::pieces] for group in groups for i in range(pieces) if group[i::pieces]]
    bins: list[list[Target]] = [[] for _ in range(min(count, len(groups)))]
    for group in groups:
        min(bins, key=len).extend(group)
    return [(shard, policy) for shard in bins if shard]


def _job_shards(jobs: Sequence[Job], count: int,
                policy: PolitenessPolicy) -> list[tuple[list[tuple[Target, str]], PolitenessPolicy]]:
    """``jobs`` split as their targets are by :func:`shards`, each as the (target, probe name) pairs a
    child process can receive."""
    by_target: dict[str, list[tuple[Target, str]]] = defaultdict(list)
    for target, probe in jobs:
        by_target[target.id].append((target, probe.name))
    targets = [pairs[0][0] for pairs in by_target.values()]
    return [([job for target in shard for job in by_target[target.id]], shard_policy)
            for shard, shard_policy in shards(targets, count, policy)]


ShardMain = Callable[[list[tuple[Target, str]], ProbeContext, int, Any], None]


def _shard(parent_pid: int, level: int, shard_main: ShardMain, *args: Any) -> None:
    """Child process: end with the parent (even a SIGKILLed one), send each log record to the parent
    through ``out`` (the last argument), then observe the shard. The parent's handlers, levels and
    redaction apply to the records: ``-vv`` keeps every request line. Ctrl-C reaches the whole
    process group: the child ignores it; the parent stops the children and prints the resume message."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent(parent_pid)
    root = logging.getLogger()
    root.handlers = [logging.handlers.QueueHandler(args[-1])]
    root.setLevel(level)
    shard_main(*args)


@contextmanager
def _ctrl_c_held() -> Iterator[None]:
    """Block SIGINT while the children start: they inherit the blocked signal through fork and exec,
    so Ctrl-C (sent by the terminal to the whole process group) never interrupts their start-up; the
    parent receives a Ctrl-C pressed meanwhile as soon as they are started."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def run_sharded(jobs: Sequence[Job], ctx: ProbeContext, count: int, workers: int,
                on_facts: Callable[[Facts], None], shard_main: ShardMain) -> list[Facts]:
    """Observe ``jobs`` in ``count`` processes; facts arrive through ``on_facts`` as they finish.

    ``shard_main`` (a module-level function, so that it pickles) observes one shard's (target, probe name)
    jobs in a child process and puts each observation on the queue it gets, then None
    (``scanner.running.runner.shard_main``).

    Raises OSError when no process could start (e.g. no importable ``__main__`` for spawned
    children); the caller then observes in-process.
    """
    spawn = multiprocessing.get_context("spawn")
    out = spawn.Queue()
    per_shard = max(1, workers // count)
    level = logging.getLogger().getEffectiveLevel()
    pace = ctx.gate.pace.shared(spawn) if ctx.gate.pace.interval else None  # one --global-rate for all shards
    children = [spawn.Process(target=_shard, daemon=True, name=f"pindai-shard-{n}",
                              args=(os.getpid(), level, shard_main, shard,
                                    replace(ctx, gate=HostGate(policy, pace=pace)), per_shard, out))
                for n, (shard, policy) in enumerate(_job_shards(jobs, count, ctx.gate.policy))]
    results: list[Facts] = []
    finished = 0
    try:
        with _ctrl_c_held():
            for child in children:
                child.start()
        while finished < len(children):
            try:
                item = out.get(timeout=1.0)
            except queue.Empty:
                if not any(child.is_alive() for child in children) and out.empty():
                    if not results and not finished:
                        raise OSError("probing processes could not start") from None
                    log.warning("a probing process ended without reporting; its targets are inconclusive")
                    break
                continue
            if item is None:
                finished += 1
                continue
            if isinstance(item, logging.LogRecord):  # a child's log line, handled as if logged here
                _relay(item)
                continue
            results.append(item)
            on_facts(item)
    finally:
        for child in children:
            if child.is_alive():
                child.terminate()
            child.join()
    return results


def _relay(record: logging.LogRecord) -> None:
    logger = logging.getLogger(record.name)
    if logger.isEnabledFor(record.levelno):
        logger.handle(record)
