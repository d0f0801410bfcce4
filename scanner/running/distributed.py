"""Distributed scanning: observe targets from workers inside each network zone (Celery + Redis).

The coordinator (``pindai scan --distributed`` or ``pindai daemon --distributed``) sends one
task per (target, probe) to the queue ``pindai.zone.<zone>``; a worker started with
``pindai worker --zone <zone>`` observes and returns plain facts, and the coordinator
judges centrally. Rules never run on workers.

Reliability: ``task_acks_late`` + ``task_reject_on_worker_lost`` mean a task is acknowledged
only after it finished, so a worker that dies mid-task leaves it on the broker for another
worker (Redis re-delivers after ``PINDAI_VISIBILITY_TIMEOUT`` seconds, default 600). A task the
broker lost (Redis restarted without its data, a flushed database) is noticed by the coordinator:
every ``PINDAI_LOST_CHECK`` seconds (default 30) it looks for each unanswered task in the zone
queues and among the tasks workers hold; a task missing from both twice in a row, and not
started, is sent again (at most ``MAX_RESENDS`` times), then recorded inconclusive. A task that
fails, runs on a worker longer than ``PINDAI_TASK_TIMEOUT`` seconds (default 1800), or gets no
answer before the whole scan's deadline becomes an ``inconclusive`` observation naming the zone.

Credentials never travel through the broker: ``Target.to_dict`` drops ``password``, and a
worker reads a database password from its own environment variable ``target.password_env``.

A worker does not trust its tasks: it contacts only hosts inside its own ``--scope`` allowlist
(the task's scope can narrow it, never widen it) and reads only the environment variables
matching its ``--allow-env`` patterns (``WorkerLimits``). See docs/distributed.md.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from celery import Celery
from celery.result import AsyncResult

from scanner.model import Facts, Target
from scanner.probes.base import Probe, ProbeContext
from scanner.running.executors import Job, ProgressCallback, observe_all
from scanner.running.politeness import HostGate, PolitenessPolicy
from scanner.running.scope import Scope

log = logging.getLogger(__name__)

DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/0"
TASK_NAME = "pindai.observe_remote"
QUEUE_PREFIX = "pindai.zone."
DEFAULT_ZONE = "default"
DEFAULT_TIMEOUT_S = 6 * 3600.0  # whole-scan deadline; $PINDAI_DISTRIBUTED_TIMEOUT overrides
DEFAULT_VISIBILITY_S = 600.0
DEFAULT_TASK_TIMEOUT_S = 1800.0  # one task, from when a worker starts it; $PINDAI_TASK_TIMEOUT overrides
DEFAULT_LOST_CHECK_S = 30.0  # how often unanswered tasks are looked for on the broker; $PINDAI_LOST_CHECK overrides
MAX_RESENDS = 2
POLL_INTERVAL_S = 0.2


def broker_url() -> str:
    """``$PINDAI_BROKER_URL`` or a Redis on the local host."""
    return os.environ.get("PINDAI_BROKER_URL") or DEFAULT_BROKER_URL


def zone_queue(zone: str) -> str:
    """Queue consumed by the workers of ``zone`` (the empty zone is ``default``)."""
    return QUEUE_PREFIX + (zone or DEFAULT_ZONE)


def make_app(url: str | None = None) -> Celery:
    """A Celery app on ``url`` (broker and result backend) with the observe task registered.

    ``PINDAI_VISIBILITY_TIMEOUT`` (seconds, default 600) is how long Redis waits before
    handing an unacknowledged task of a vanished worker to another worker; keep it above
    the longest probe run, or a slow task may run twice (harmless: the first answer is used).
    """
    url = url or broker_url()
    visibility = float(os.environ.get("PINDAI_VISIBILITY_TIMEOUT") or DEFAULT_VISIBILITY_S)
    app = Celery("pindai", broker=url, backend=url, set_as_current=False)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        result_accept_content=["json"],
        task_default_queue=zone_queue(DEFAULT_ZONE),
        task_track_started=True,
        result_expires=24 * 3600,
        broker_connection_retry_on_startup=True,
        broker_transport_options={
            "visibility_timeout": visibility,
            # sweep for abandoned tasks often enough for a short visibility timeout
            "unacked_restore_interval": max(1, min(10, int(visibility // 2) or 1)),
            "unacked_restore_throttle": 1,
        },
        worker_hijack_root_logger=False,
    )
    app.task(name=TASK_NAME)(observe_remote)
    return app


@dataclass(frozen=True)
class WorkerLimits:
    """What this worker process may do, whatever a task asks: from its command line, not the broker."""

    scope: Scope = field(default_factory=Scope)  # hosts it may contact; empty: none
    env: tuple[str, ...] = ()  # fnmatch patterns of environment variables it may read; empty: none


_limits = WorkerLimits()


def set_worker_limits(limits: WorkerLimits) -> None:
    """Fix this process's limits (``pindai worker`` calls it once, before consuming tasks)."""
    global _limits
    _limits = limits


_gates: dict[PolitenessPolicy, HostGate] = {}
_gates_lock = threading.Lock()


def _gate(policy: PolitenessPolicy) -> HostGate:
    """One gate per policy per worker process, so concurrent tasks share per-host limits."""
    with _gates_lock:
        gate = _gates.get(policy)
        if gate is None:
            gate = _gates[policy] = HostGate(policy)
        return gate


def observe_remote(
    target_dict: dict[str, Any], probe_name: str, politeness_dict: dict[str, Any], scope_patterns: list[str]
) -> dict[str, Any]:
    """Worker side: rebuild the target, observe it with one probe and return ``Facts.to_dict()``."""
    from scanner.probes import load_probes
    from scanner.running.runner import observe

    target = Target.from_dict(target_dict)
    (probe,) = load_probes([probe_name])
    if target.host and not _limits.scope.allows(target.host):
        return Facts(probe=probe_name, target_id=target.id, status="inconclusive",
                     reason=f"host {target.host} is outside this worker's --scope allowlist",
                     started_at=datetime.now(UTC).isoformat(timespec="seconds")).to_dict()
    policy = PolitenessPolicy.from_untrusted(politeness_dict)  # the broker is not trusted: clamp
    scope = Scope(tuple(str(p) for p in scope_patterns)).narrowed(_limits.scope)
    ctx = ProbeContext(gate=_gate(policy), scope=scope, env_allowed=_limits.env)
    return observe(probe, target, ctx).to_dict()


def _scope_patterns(scope: Scope) -> list[str]:
    return ["*"] if scope.allow_any else list(scope.patterns)


@dataclass
class _Job:
    """One job's task on the broker, and what the coordinator has seen of it."""

    target: Target
    probe: str
    queue: str
    result: AsyncResult | None = None
    missing: int = 0  # consecutive checks that found the task neither queued, held by a worker nor started
    resent: int = 0
    started_at: float | None = None  # when a check first saw a worker running it


def _inconclusive(job: _Job, reason: str) -> Facts:
    return Facts(probe=job.probe, target_id=job.target.id, status="inconclusive",
                 reason=reason, started_at=datetime.now(UTC).isoformat(timespec="seconds"))


def _zone(job: _Job) -> str:
    return job.queue.removeprefix(QUEUE_PREFIX)


def _collect(job: _Job) -> Facts | None:
    """The job's facts when its task has finished, else None."""
    assert job.result is not None
    try:
        if not job.result.ready():
            return None
        if job.result.successful():
            facts = Facts.from_dict(job.result.get(propagate=False))
        else:
            error = job.result.result
            facts = _inconclusive(job, f"worker in zone {_zone(job)!r} failed: {type(error).__name__}: {error}")
        job.result.forget()
        return facts
    except Exception as exc:  # result backend unreachable or an unreadable answer: try again next round
        log.debug("cannot read the result of %s on %s: %s", job.probe, job.target.id, exc)  # _LostCheck warns
        return None


def _message_id(raw: bytes | str) -> str:
    """The task id in a message as Redis keeps it (a queued message, or ``[message, exchange, key]`` held)."""
    try:
        data = json.loads(raw)
        message = data[0] if isinstance(data, list) else data
        return str(message["headers"]["id"])
    except (ValueError, KeyError, IndexError, TypeError):
        return ""


def _broker_ids(app: Celery, queues: set[str]) -> set[str] | None:
    """Ids of the tasks the broker still holds: queued, or delivered to a worker and not yet acknowledged
    (kombu's ``unacked`` hash). None when the broker cannot be asked."""
    try:
        with app.connection_for_write() as conn:
            client = conn.default_channel.client
            held = [m for queue in sorted(queues) for m in client.lrange(queue, 0, -1)]
            held += list(client.hvals("unacked"))
    except Exception as exc:  # broker down: ask again at the next check
        log.debug("cannot list the broker's tasks: %s", exc)
        return None
    return {_message_id(raw) for raw in held} - {""}


@dataclass
class _LostCheck:
    """Looks for lost tasks every ``interval`` seconds (``held()`` lists the broker's task ids), and for
    tasks a worker has run for longer than ``task_timeout`` seconds."""

    interval: float
    held: Callable[[], set[str] | None]
    task_timeout: float = DEFAULT_TASK_TIMEOUT_S
    next_at: float = 0.0
    down: bool = False  # the broker did not answer at the last check (said once per outage)

    def lost(self, pending: list[_Job], now: float) -> list[_Job]:
        """Jobs whose task was missing at two checks in a row (checked only every ``interval``)."""
        if now < self.next_at:
            return []
        self.next_at = now + self.interval
        ids = self.held()
        if (ids is None) != self.down:
            self.down = ids is None
            log.warning("the broker does not answer; waiting for it (tasks it lost are sent again when it is back)"
                        if self.down else "the broker answers again")
        if ids is None:
            return []
        gone = []
        for job in pending:
            assert job.result is not None
            try:
                state = job.result.state  # PENDING (queued, or unknown to the broker), STARTED, or finished
            except Exception:  # result backend down: not a verdict on the task
                continue
            if state == "STARTED" and job.started_at is None:
                job.started_at = now
            job.missing = 0 if state != "PENDING" or job.result.id in ids else job.missing + 1
            if job.missing >= 2:
                gone.append(job)
        return gone

    def overdue(self, pending: list[_Job], now: float) -> list[_Job]:
        """Jobs a worker started more than ``task_timeout`` seconds ago that have no answer yet."""
        return [job for job in pending if job.started_at is not None and now - job.started_at > self.task_timeout]


def _gather(
    pending: list[_Job], deadline: float, timeout: float, done: Callable[[_Job, Facts], None],
    sleep: Callable[[float], None], check: _LostCheck | None = None,
    resend: Callable[[_Job], bool] | None = None,
) -> None:
    """Poll until every job has facts; past ``deadline`` the rest become inconclusive. Jobs whose task the
    broker lost (``check``) are sent again by ``resend`` while it returns True, then become inconclusive."""
    while pending:
        still = []
        for job in pending:
            facts = _collect(job)
            if facts is None:
                still.append(job)
            else:
                done(job, facts)
        pending[:] = still
        if check:
            _recheck(pending, check, done, resend)
        if pending and time.monotonic() >= deadline:
            for job in pending:
                done(job, _inconclusive(job, f"no answer from a worker in zone {_zone(job)!r} (queue {job.queue}) "
                                             f"within {timeout:g} s; is `pindai worker --zone {_zone(job)}` running?"))
                if job.result is not None:
                    job.result.revoke()
            pending.clear()
        if pending:
            sleep(min(2.0, POLL_INTERVAL_S + len(pending) / 500))  # one GET per pending task per round


def _recheck(pending: list[_Job], check: _LostCheck, done: Callable[[_Job, Facts], None],
             resend: Callable[[_Job], bool] | None) -> None:
    """Send lost tasks again (or give up on them), and give up on tasks a worker has run too long."""
    for job in check.lost(pending, time.monotonic()):
        job.missing = 0
        if resend and resend(job):
            log.warning("the broker lost the task %s on %s (queue %s); sent it again", job.probe,
                        job.target.id, job.queue)
            continue
        pending.remove(job)
        done(job, _inconclusive(job, f"the broker lost the task (queue {job.queue}) {job.resent + 1} time(s): "
                                     "was Redis restarted without its data? See docs/distributed.md"))
    for job in check.overdue(pending, time.monotonic()):
        pending.remove(job)
        done(job, _inconclusive(job, f"a worker in zone {_zone(job)!r} started the task but gave no answer "
                                     f"within {check.task_timeout:g} s (PINDAI_TASK_TIMEOUT)"))
        if job.result is not None:
            with suppress(Exception):
                job.result.revoke()


def _broker_problem(app: Celery) -> str:
    """Empty when the broker answers, else why not (without credentials)."""
    from kombu.utils.url import maybe_sanitize_url

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=5)
    except Exception as exc:
        return f"broker {maybe_sanitize_url(app.conf.broker_url)} unreachable: {type(exc).__name__}: {exc}"
    return ""


def _probe_name(probe: str | Probe) -> str:
    return probe if isinstance(probe, str) else probe.name


def _queue(jobs: list[_Job], send: Callable[[_Job], None], done: Callable[[_Job, Facts], None],
           broker_error: str) -> list[_Job]:
    """Send each job to its zone's queue; the ones that cannot go are done at once (inconclusive)."""
    pending: list[_Job] = []
    for job in jobs:
        if job.target.password and not job.target.password_env:
            done(job, _inconclusive(job, "the password was given inline; distributed workers only read it from "
                                         "an environment variable: set password_env in the profile"))
            continue
        if broker_error:
            done(job, _inconclusive(job, f"cannot queue the task for {job.queue}: {broker_error}"))
            continue
        try:
            send(job)
            pending.append(job)
        except Exception as exc:  # broker gone: every job stays accounted for
            broker_error = f"{type(exc).__name__}: {exc}"
            done(job, _inconclusive(job, f"cannot queue the task for {job.queue}: {broker_error}"))
    return pending


@dataclass(frozen=True)
class CeleryExecutor:
    """Observe through ``pindai worker --zone`` processes: one task per job on its target's zone queue.

    Every job yields exactly one Facts: the worker's, or an inconclusive one naming the zone when the task
    failed or no answer came within ``timeout`` seconds (default ``$PINDAI_DISTRIBUTED_TIMEOUT`` or 6 h, for
    the whole scan), or the broker lost it more than ``MAX_RESENDS`` times (looked for every ``lost_check``
    seconds, default ``$PINDAI_LOST_CHECK`` or 30), or a worker started it and gave no answer within
    ``task_timeout`` seconds (default ``$PINDAI_TASK_TIMEOUT`` or 1800). ``app`` defaults to one on
    ``$PINDAI_BROKER_URL``.
    """

    app: Celery | None = None
    timeout: float | None = None
    sleep: Callable[[float], None] = time.sleep
    lost_check: float | None = None
    task_timeout: float | None = None

    def observe(self, jobs: Sequence[Job], ctx: ProbeContext, on_facts: ProgressCallback) -> list[Facts]:
        timeout = self.timeout or float(os.environ.get("PINDAI_DISTRIBUTED_TIMEOUT") or DEFAULT_TIMEOUT_S)
        lost_check = self.lost_check or float(os.environ.get("PINDAI_LOST_CHECK") or DEFAULT_LOST_CHECK_S)
        task_timeout = self.task_timeout or float(os.environ.get("PINDAI_TASK_TIMEOUT") or DEFAULT_TASK_TIMEOUT_S)
        app = self.app or make_app()
        results: dict[tuple[str, str], Facts] = {}

        def done(job: _Job, facts: Facts) -> None:
            results[(job.target.id, job.probe)] = facts
            on_facts(facts)

        policy = asdict(ctx.gate.policy)
        scope = _scope_patterns(ctx.scope)
        broker_error = _broker_problem(app) if jobs else ""
        started = time.monotonic()

        def send(job: _Job) -> None:
            remaining = max(1.0, timeout - (time.monotonic() - started))
            job.result = app.send_task(TASK_NAME, args=[job.target.to_dict(), job.probe, policy, scope],
                                       queue=job.queue, expires=remaining)

        def resend(job: _Job) -> bool:
            if job.resent >= MAX_RESENDS:
                return False
            try:
                send(job)
            except Exception as exc:  # broker still gone: look again at the next check
                log.warning("cannot send %s on %s again yet: %s", job.probe, job.target.id, exc)
            job.resent += 1
            return True

        tasks = [_Job(job.target, job.probe.name, zone_queue(job.target.zone)) for job in jobs]
        pending = _queue(tasks, send, done, broker_error)
        log.info("queued %d task(s) on %s", len(pending), ", ".join(sorted({j.queue for j in pending})) or "no queue")
        try:
            check = _LostCheck(lost_check, lambda: _broker_ids(app, {j.queue for j in pending}), task_timeout,
                               time.monotonic() + lost_check)
            _gather(pending, started + timeout, timeout, done, self.sleep, check, resend)
        except KeyboardInterrupt:  # interrupted scan: do not leave work queued for the workers
            for job in pending:
                with suppress(Exception):
                    if job.result is not None:
                        job.result.revoke()
            raise
        return list(results.values())


def run_distributed(
    targets: list[Target],
    probes: Sequence[str | Probe],
    ctx: ProbeContext,
    *,
    on_facts: ProgressCallback | None = None,
    skip: set[tuple[str, str]] | None = None,
    timeout: float | None = None,
    app: Celery | None = None,
    sleep: Callable[[float], None] = time.sleep,
    lost_check: float | None = None,
    task_timeout: float | None = None,
) -> list[Facts]:
    """Drop-in for :func:`scanner.running.runner.run_probes` that observes through zone workers (``CeleryExecutor``).

    ``probes`` are probe names (or probe objects); (target id, probe) pairs in ``skip`` are not observed
    (resumed scans). Results keep target order.
    """
    from scanner.probes import load_probes

    executor = CeleryExecutor(app, timeout, sleep, lost_check, task_timeout)
    return observe_all(executor, targets, load_probes([_probe_name(p) for p in probes]), ctx, on_facts=on_facts,
                       skip=skip or ())


app = make_app()  # `celery -A scanner.running.distributed worker` finds it here
