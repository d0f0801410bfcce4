"""``pindai daemon``: run profiles on their ``[schedule]``, store each scan, write its reports, deliver them.

A profile is *due* when a cron time (in the profile's timezone) has passed since its last
scan in the history store; a profile never scanned before is overdue and runs at once.
Each run is stored first, then writes its dated report folder (:mod:`scanner.service.runs`), then
records its notifications in the outbox and sends them (:mod:`scanner.service.outbox`); a report or
delivery failure is logged and never loses the scan. Undelivered notifications are retried
at every wake-up until they expire. SIGTERM stops the daemon between scans: a scan in
progress is finished and stored first. A scan the daemon left ``running`` (it was killed) or
``incomplete`` (the store failed) is finished when it starts again, or closed as ``interrupted``
when its profile is no longer given.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter

from scanner.extras import MissingExtra
from scanner.history.store import COMPLETE, FAILED, INTERRUPTED, Store, StoreError
from scanner.judging.rules import RuleSet
from scanner.judging.suppressions import SuppressionError
from scanner.model import ScanResult
from scanner.probes.base import ProbeContext
from scanner.profile import Profile, ProfileError, load_profile
from scanner.running.credentials import MissingCredential, check_ready
from scanner.running.interrupts import SigtermGuard
from scanner.running.politeness import HostGate
from scanner.running.scanrun import ScanRun, accepted_risks
from scanner.service.channels import Delivery
from scanner.service.notify import messages, new_findings, send

RUNNER = "daemon"  # the profile summary of the daemon's scans names it, so it only takes over its own

log = logging.getLogger(__name__)

MAX_NAP_S = 5.0  # longest single pause; the clock is read again after each
MIN_RETRY_WAIT = timedelta(minutes=1)  # a notification retry never makes the loop spin (e.g. the store is down)
Clock = Callable[[], datetime]


@dataclass
class Scheduled:
    """A loaded profile with its schedule and the time it last ran (UTC, aware)."""

    profile: Profile
    cron: str
    tz: ZoneInfo
    last_run: datetime | None = None

    @property
    def path(self) -> Path:
        return self.profile.path

    def previous_fire(self, now: datetime) -> datetime:
        """The latest cron time at or before ``now``."""
        base = now.astimezone(self.tz).replace(microsecond=0) + timedelta(seconds=1)
        return croniter(self.cron, base).get_prev(datetime).astimezone(UTC)

    def next_fire(self, now: datetime) -> datetime:
        """The first cron time after ``now``."""
        return croniter(self.cron, now.astimezone(self.tz)).get_next(datetime).astimezone(UTC)

    def due(self, now: datetime) -> bool:
        return self.last_run is None or self.last_run < self.previous_fire(now)

    def next_run(self, now: datetime) -> datetime:
        """When this profile runs next: now when due, else its next cron time (UTC)."""
        return now if self.due(now) else self.next_fire(now)

    def describe_next(self, now: datetime) -> str:
        """``2026-12-07 02:00 WIB (Asia/Jakarta)``, or that it is due now."""
        if self.due(now):
            return "now (never run, or a run was missed) / sekarang"
        moment = self.next_fire(now).astimezone(self.tz)
        return f"{moment:%Y-%m-%d %H:%M %Z} ({self.tz.key})"


@dataclass
class RunOutcome:
    """What one scheduled run did (``error`` is empty when it succeeded)."""

    profile: str
    scan_id: str = ""
    new_findings: int = 0
    open_findings: int = 0
    deliveries: list[Delivery] = field(default_factory=list)
    error: str = ""
    observed: int = 0
    not_observed: int = 0
    report_dir: str = ""
    report_error: str = ""
    skipped_rows: int = 0  # inventory rows not scanned


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _clock(now: datetime | Clock | None) -> Clock:
    if isinstance(now, datetime):
        fixed = now
        return lambda: fixed
    return now or _utc_now


def _parse_time(text: str) -> datetime | None:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def last_run(store: Store, path: Path) -> datetime | None:
    """Start time of the latest complete scan of the profile at ``path`` in ``store``."""
    try:
        started = store.last_complete(str(path))
    except StoreError as exc:
        log.warning("cannot read the last runs from %s: %s", store.display_url, exc)
        return None
    return _parse_time(started) if started else None


def load_scheduled(paths: Sequence[Path], store: Store) -> tuple[list[Scheduled], list[str]]:
    """Load every profile; return the scheduled ones and one error line per unusable profile."""
    loaded: list[Scheduled] = []
    errors: list[str] = []
    for raw in paths:
        path = Path(raw).expanduser().resolve()
        try:
            profile = load_profile(path)
            if profile.spec.schedule is None:
                raise ProfileError(f"{path}: no [schedule] table; the daemon only runs scheduled profiles")
            try:
                tz = ZoneInfo(profile.spec.schedule.timezone)
            except (ZoneInfoNotFoundError, ValueError) as exc:
                raise ProfileError(f"{path}: schedule.timezone: unknown time zone "
                                   f"{profile.spec.schedule.timezone!r}") from exc
        except ProfileError as exc:
            log.error("skipping profile: %s", exc)
            errors.append(str(exc))
            continue
        loaded.append(Scheduled(profile, profile.spec.schedule.cron, tz, last_run(store, path)))
    return loaded, errors


def run_profile(
    profile: Profile,
    store: Store,
    ruleset: RuleSet,
    *,
    probe_names: list[str] | None = None,
    distributed: bool = False,
    now: datetime | None = None,
    resumed: ScanResult | None = None,
) -> RunOutcome:
    """Scan one profile as ``pindai scan --profile`` does (or finish the ``resumed`` scan of it), store it,
    write its reports and deliver. Never raises."""
    from scanner.probes import load_probes
    from scanner.running.scan import executor_for

    outcome = RunOutcome(profile=str(profile.path), skipped_rows=len(profile.inventory_problems))
    for problem in profile.inventory_problems:
        log.warning("profile %s: inventory row not scanned / baris inventaris tidak dipindai: %s", profile.path,
                    problem)
    run: ScanRun | None = None
    try:
        ctx = ProbeContext(gate=HostGate(profile.politeness), scope=profile.scope)
        probes = load_probes(probe_names)
        check_ready(profile.targets, probes, distributed)  # a missing password or driver: a failed run, reported
        if profile.suppressions and (unknown := profile.suppressions.unknown_rules({r.id for r in ruleset.rules})):
            raise SuppressionError("; ".join(unknown))
        run = _opened(profile, store, ruleset, resumed)
        outcome.scan_id = run.result.scan_id
        log.info("profile %s: run started, scan %s, %d target(s)", profile.path, run.result.scan_id,
                 len(run.result.targets))
        honour = not profile.spec.ignore_inline_suppressions
        status = run.run(probes, ruleset, ctx, executor_for(distributed),
                         finishing=lambda result: accepted_risks(result, profile.suppressions, honour))
        if status != COMPLETE:
            raise RuntimeError(_not_recorded(run))
        result = run.result
        previous = store.previous(result)
        outcome.open_findings = len(result.open_findings())
        outcome.new_findings = len(new_findings(result, previous, profile.spec.notify.min_severity))
        outcome.observed, outcome.not_observed = observed_counts(result)
        log.info("profile %s: run finished, scan %s stored: %d target(s) observed, %d not observed, "
                 "%d open finding(s), %d new", profile.path, result.scan_id, outcome.observed,
                 outcome.not_observed, outcome.open_findings, outcome.new_findings)
        outcome.deliveries = _report_and_deliver(profile, store, ruleset, result, previous, outcome,
                                                 now or _utc_now())
    except (MissingCredential, MissingExtra, SuppressionError) as exc:
        log.error("profile %s: scan not started: %s", profile.path, exc)
        outcome.error = str(exc)
    except Exception as exc:  # one broken profile or store hiccup must not stop the daemon
        log.exception("profile %s: scan failed", profile.path)
        outcome.error = f"{type(exc).__name__}: {exc}"
        if run is not None and run.writer is not None and not run.writer.pending:  # else left for the next start
            run.end(FAILED)
    return outcome


def _opened(profile: Profile, store: Store, ruleset: RuleSet, resumed: ScanResult | None) -> ScanRun:
    """A new scan of ``profile`` begun in ``store``, or the ``resumed`` one with its spool written first."""
    from scanner.running.scan import new_scan

    if resumed is None:
        return ScanRun.begin(store, new_scan(profile.targets, ruleset, profile.summary() | {"runner": RUNNER}))
    run, _ = ScanRun.reopen(store, resumed)
    if run.writer is not None and run.writer.unstored:  # the store still refuses: try again at the next start
        raise StoreError(run.writer.summary())
    return run


def _not_recorded(run: ScanRun) -> str:
    writer = run.writer
    return (writer.summary() or f"the scan's end is not recorded: {writer.error}") if writer else ""


def observed_counts(result: ScanResult) -> tuple[int, int]:
    """Targets with at least one conclusive observation, and the others (not observed)."""
    seen = {f.target_id for f in result.facts if f.conclusive}
    observed = sum(1 for t in result.targets if t.id in seen)
    return observed, len(result.targets) - observed


def _report_and_deliver(profile: Profile, store: Store, ruleset: RuleSet, result: ScanResult,
                        previous: ScanResult | None, outcome: RunOutcome, now: datetime) -> list[Delivery]:
    """Write the run's folder, record its notifications in the outbox and send what is due."""
    from scanner.service.outbox import Outbox
    from scanner.service.runs import prune, write_run

    spec = profile.spec
    tz = ZoneInfo(spec.schedule.timezone if spec.schedule else "Asia/Jakarta")
    root = profile.path.parent / spec.reports.dir
    reports = None
    try:
        reports = write_run(result, ruleset, root, list(spec.reports.formats), spec.lang, tz, previous)
        outcome.report_dir = str(reports.folder)
        log.info("profile %s: reports written to %s (%d agency report(s))", profile.path, reports.folder,
                 len(reports.agencies))
        prune(root, spec.reports.keep)
    except OSError as exc:  # the scan is stored; its reports can be written again with `pindai report`
        outcome.report_error = f"{type(exc).__name__}: {exc}"
        log.error("profile %s: cannot write the run's reports to %s: %s (the scan %s is stored; "
                  "pindai report %s writes them again)", profile.path, root, exc, result.scan_id, result.scan_id)
    contacts = profile.contacts()
    found = messages(result, previous, spec.notify, contacts=contacts, full_report=reports.full if reports else None,
                     agency_reports=reports.agencies if reports else None)
    try:
        outbox = Outbox(store)
        for message in found:
            outbox.add(result.scan_id, str(profile.path), message, now, spec.notify.retry_hours)
        return outbox.deliver_due(str(profile.path), spec.notify, now, contacts=contacts,
                                  timeout=spec.notify.timeout)
    except StoreError as exc:  # better sent once without a record than not at all
        log.error("profile %s: cannot record notifications in the outbox (%s); sending them once, "
                  "without retries", profile.path, exc)
        return [send(m, spec.notify, contacts=contacts, timeout=spec.notify.timeout) for m in found]


def retry_deliveries(schedule: Sequence[Scheduled], store: Store, now: datetime) -> list[Delivery]:
    """Send the due, still undelivered notifications of every scheduled profile (never raises)."""
    from scanner.service.outbox import Outbox

    deliveries: list[Delivery] = []
    try:
        outbox = Outbox(store)
        for item in schedule:
            notify = item.profile.spec.notify
            deliveries += outbox.deliver_due(str(item.path), notify, now, contacts=item.profile.contacts(),
                                             timeout=notify.timeout)
    except StoreError as exc:
        log.warning("cannot retry notifications: %s", exc)
    return deliveries


def next_wake(schedule: Sequence[Scheduled], store: Store, now: datetime) -> datetime:
    """The next cron time of any profile, or an earlier notification retry."""
    from scanner.service.outbox import Outbox

    wake = min(item.next_fire(now) for item in schedule)
    try:
        retry = Outbox(store).next_attempt([str(item.path) for item in schedule])
    except StoreError:
        retry = None
    return min(wake, max(retry, now + MIN_RETRY_WAIT)) if retry else wake


def resume_left(schedule: list[Scheduled], store: Store, ruleset: RuleSet, *, probe_names: list[str] | None = None,
                distributed: bool = False) -> list[RunOutcome]:
    """Finish each scan the daemon left ``running`` (killed mid-scan) or ``incomplete`` (observations spooled)
    whose profile is scheduled; close the others as ``interrupted``. Logs which; the profile's last run
    becomes the finished scan's."""
    by_path = {str(item.path): item for item in schedule}
    outcomes: list[RunOutcome] = []
    try:
        left = store.left_running(RUNNER)
    except StoreError as exc:
        log.error("cannot look for scans left running: %s", exc)
        return outcomes
    for scan_id, summary in left:
        item = by_path.get(str(summary.get("path")))
        try:
            result = store.load(scan_id)
            if item is None:
                store.finish_scan(result, INTERRUPTED)
        except StoreError as exc:
            log.error("scan %s left running: %s", scan_id, exc)
            continue
        if item is None:
            log.warning("closing scan %s left running (profile %s is not loaded): stored as interrupted; "
                        "`pindai scan --resume %s` completes it", scan_id, summary.get("path"), scan_id)
            continue
        log.warning("resuming scan %s left running (profile %s): %d observation(s) already stored", scan_id,
                    item.path, len(result.facts))
        outcomes.append(run_profile(item.profile, store, ruleset, probe_names=probe_names, distributed=distributed,
                                    resumed=result))
        item.last_run = last_run(store, item.path) or item.last_run
    return outcomes


def _stopper(stop: threading.Event) -> SigtermGuard:
    """SIGTERM sets ``stop``: the daemon ends after the current scan."""
    def then() -> None:
        log.warning("SIGTERM received: stopping after the current scan")
        stop.set()

    return SigtermGuard(then)


def run_daemon(
    profile_paths: Sequence[Path | str],
    store: Store,
    *,
    once: bool = False,
    now: datetime | Clock | None = None,
    sleep: Callable[[float], Any] | None = None,
    rules_path: Path | tuple[Path, ...] | None = None,
    probe_names: list[str] | None = None,
    distributed: bool = False,
    stop: threading.Event | None = None,
) -> list[RunOutcome]:
    """Run scheduled profiles until SIGTERM (or ``stop``); with ``once``, run what is due and return.

    ``now`` is a fixed time or a clock and ``sleep`` a pause function (both for tests; the
    default pause is ``stop.wait`` so SIGTERM ends a wait at once). Unusable profiles are
    logged, reported as outcomes with an ``error`` and skipped.
    """
    from scanner.judging.rules import load_rules

    clock = _clock(now)
    stop = stop or threading.Event()
    pause = sleep or stop.wait
    schedule, errors = load_scheduled([Path(p) for p in profile_paths], store)
    outcomes = [RunOutcome(profile=e.split(":", 1)[0], error=e) for e in errors]
    if not schedule:
        log.error("no usable scheduled profile; nothing to do")
        return outcomes
    ruleset = load_rules(rules_path)
    for item in schedule:
        log.info("profile %s: next run %s (cron %r)", item.path, item.describe_next(clock()), item.cron)
    with _stopper(stop):
        outcomes += resume_left(schedule, store, ruleset, probe_names=probe_names, distributed=distributed)
        while not stop.is_set():
            for item in schedule:
                if stop.is_set():
                    break
                moment = clock()
                if not item.due(moment):
                    continue
                log.info("profile %s is due (cron %r, %s)", item.path, item.cron, item.tz.key)
                outcomes.append(run_profile(item.profile, store, ruleset, probe_names=probe_names,
                                            distributed=distributed, now=moment))
                item.last_run = moment
                log.info("profile %s: next run %s", item.path, item.describe_next(clock()))
            retry_deliveries(schedule, store, clock())
            if once:
                break
            moment = clock()
            wake = next_wake(schedule, store, moment)
            log.info("next wake-up at %s", wake.isoformat(timespec="seconds"))
            while not stop.is_set() and clock() < wake:
                pause(max(0.0, min(MAX_NAP_S, (wake - clock()).total_seconds())))
    return outcomes
