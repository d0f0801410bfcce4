"""Scan progress on a terminal (targets and observations done, elapsed time, ETA, inconclusive and partial
targets so far) and the closing line every scan prints on standard error."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from scanner.model import Facts, ScanResult

if TYPE_CHECKING:
    from rich.console import Console

    from scanner.probes.base import Probe
    from scanner.running.politeness import HostGate

MAX_ROWS = 12  # one line per observation up to this many; larger scans show the overall line only
ETA_AFTER = 3  # targets finished (or 5 % of them, if more) before an ETA is shown


@dataclass
class ScanTally:
    """What a scan has observed so far, per target; fed each finished observation (from this process,
    shard processes or workers alike: they all arrive through the executor's ``on_facts``)."""

    expected: dict[str, set[str]]  # target id -> the probes that will have observed it
    done: dict[str, set[str]] = field(default_factory=dict)
    inconclusive: set[str] = field(default_factory=set)
    capped: set[str] = field(default_factory=set)
    fresh: int = 0  # observations made by this run (a resumed scan starts with the stored ones)
    started: float = field(default_factory=time.monotonic)

    @classmethod
    def planned(cls, result: ScanResult, probes: Sequence[Probe]) -> ScanTally:
        """The tally of ``result`` (a new or resumed scan) about to observe what it lacks with ``probes``."""
        from scanner.running.executors import plan
        from scanner.running.scan import observed_pairs

        work = plan(result.targets, probes, observed_pairs(result))
        expected: dict[str, set[str]] = {t.id: set() for t in result.targets}
        for target_id, probe in [*(job.key for job in work.jobs), *((f.target_id, f.probe) for f in work.unobservable),
                                 *((f.target_id, f.probe) for f in result.facts)]:
            expected.setdefault(target_id, set()).add(probe)
        tally = cls(expected)
        for facts in result.facts:
            tally.add(facts, fresh=False)
        return tally

    def add(self, facts: Facts, fresh: bool = True) -> None:
        probes = self.done.setdefault(facts.target_id, set())
        if facts.probe in probes:
            return
        probes.add(facts.probe)
        self.fresh += fresh
        if not facts.conclusive:
            self.inconclusive.add(facts.target_id)
        elif facts.limits:
            self.capped.add(facts.target_id)

    @property
    def targets(self) -> int:
        return len(self.expected)

    @property
    def observations(self) -> int:
        return sum(len(p) for p in self.expected.values())

    @property
    def observed(self) -> int:
        return sum(len(p) for p in self.done.values())

    @property
    def targets_done(self) -> int:
        return sum(1 for t, probes in self.expected.items() if probes <= self.done.get(t, set()))

    @property
    def partial(self) -> int:
        return len(self.capped - self.inconclusive)

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def eta(self) -> float | None:
        """Seconds left, from this run's pace, once enough targets finished; None before."""
        if self.targets_done < min(self.targets, max(ETA_AFTER, self.targets // 20)) or not self.fresh:
            return None
        return self.elapsed() / self.fresh * (self.observations - self.observed)

    def status(self, lang: str) -> str:
        """The overall progress line: n/N targets (inconclusive, partial), n/N observations, time, ETA."""
        s = _strings(lang)
        eta = self.eta()
        return s["progress_line"].format(
            done=self.targets_done, targets=self.targets, inconclusive=len(self.inconclusive), partial=self.partial,
            observed=self.observed, observations=self.observations, elapsed=clock(self.elapsed()),
            eta=s["progress_estimating"] if eta is None else clock(eta))


def clock(seconds: float) -> str:
    """``H:MM:SS``."""
    whole = int(seconds)
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"


def _strings(lang: str) -> dict[str, str]:
    from scanner.report.common import strings

    return strings(lang)


@contextmanager
def scan_progress(tally: ScanTally, gate: HostGate, lang: str,
                  console: Console | None = None) -> Iterator[Callable[[Facts], None]]:
    """Yield a callback taking each finished observation, which ``tally`` counts.

    Draws on standard error only when it is a terminal (or on ``console`` when given), without colour
    when $NO_COLOR is set: the overall line (``tally.status``) with the connections made so far, and for
    small scans one line per probe and target that spins while it runs and shows its outcome when it ends.
    """
    pending = [(t, p) for t, probes in tally.expected.items() for p in sorted(probes - tally.done.get(t, set()))]
    if not pending or (console is None and not sys.stderr.isatty()):
        yield tally.add
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn

    s = _strings(lang)
    shown = console or Console(stderr=True, no_color=bool(os.environ.get("NO_COLOR")))
    with Progress(SpinnerColumn(finished_text="•"), TextColumn("{task.description}"), BarColumn(),
                  TextColumn("{task.fields[status]}"), console=shown, transient=console is None,
                  refresh_per_second=4) as bar:
        def overall_status() -> str:
            return f"{escape(tally.status(lang))} · {sum(gate.connections.values())} conn."

        overall = bar.add_task("pindai", total=tally.observations, completed=tally.observed, status=overall_status())
        rows = {job: bar.add_task(f"  {job[1]:<9} {escape(job[0])}", total=1, status="")  # ids may hold [/]
                for job in pending} if len(pending) <= MAX_ROWS else {}

        def finished(facts: Facts) -> None:
            tally.add(facts)
            row = rows.get((facts.target_id, facts.probe))
            if row is not None:
                bar.update(row, advance=1, status="ok" if facts.conclusive else s["progress_inconclusive"])
            bar.update(overall, completed=tally.observed, status=overall_status())

        bar.update(overall, status=overall_status())
        yield finished


def closing_line(result: ScanResult, elapsed: float, lang: str, outputs: Sequence[str], store: str) -> str:
    """The one line a finished scan prints on standard error, in ``lang``: targets, observations,
    inconclusive and partial targets (as the reports count them), open findings by severity, elapsed
    time, where the report went (``outputs``) and where the scan is stored (``store``)."""
    from scanner.report.escape import terminal_text
    from scanner.report.summary import not_fully_assessed, severity_counts

    s = _strings(lang)
    inconclusive = {f.target_id for f in result.facts if not f.conclusive}
    findings = ", ".join(f"{s['sev_' + sev].lower()} {n}" for sev, n in severity_counts(result).items())
    return terminal_text(s["progress_closing"].format(
        targets=len({t.id for t in result.targets}), observations=len(result.facts), inconclusive=len(inconclusive),
        partial=len(set(not_fully_assessed(result)) - inconclusive), findings=findings, elapsed=clock(elapsed),
        outputs=", ".join(outputs), store=store))
