"""One scan on its way to the history store, for ``pindai scan`` and ``pindai daemon`` alike.

``ScanRun.begin`` records a new scan (from ``scanner.running.scan.new_scan``) as running, or
``ScanRun.reopen`` takes up an unfinished one with what an earlier run spooled; ``ScanRun.run``
observes and judges it (``scanner.running.scan.scan``), each observation stored (or spooled,
``scanner.history.durable``) before it counts, and records its end. The callers add what differs: the
command's progress bar, messages and exit codes, the daemon's reports and notifications.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from scanner.history.durable import ScanWriter
from scanner.history.store import COMPLETE, INTERRUPTED, Store
from scanner.judging.rules import RuleSet
from scanner.judging.suppressions import Suppressions, apply_inline
from scanner.model import Facts, ScanResult
from scanner.probes.base import Probe, ProbeContext
from scanner.running.executors import Executor, ProgressCallback
from scanner.running.scan import scan


@dataclass
class ScanRun:
    """``result`` is the scan as it stands (as begun or loaded, then observed and judged); ``writer`` takes its
    observations to the store (None: not stored, ``--no-store``)."""


    result: ScanResult
    writer: ScanWriter | None = None
    recorded: str | None = None  # the end last recorded (:meth:`end`), None before

    @classmethod
    def begin(cls, store: Store | None, result: ScanResult) -> ScanRun:
        """A new scan, recorded as running before anything is observed (StoreError: not begun)."""
        if store is None:
            return cls(result)
        store.begin_scan(result)
        return cls(result, ScanWriter(store, result.scan_id))

    @classmethod
    def reopen(cls, store: Store, result: ScanResult) -> tuple[ScanRun, int]:
        """The unfinished scan ``result`` (loaded from ``store``), with what an earlier run spooled written to the
        store first, then loaded again; and how many observations were spooled. When some still are not in
        the store (``writer.unstored``), ``result`` is as given."""
        writer = ScanWriter(store, result.scan_id)
        spooled = writer.recover()
        if spooled and not writer.unstored:
            result = store.load(result.scan_id)
        return cls(result, writer), spooled

    def run(self, probes: list[Probe], ruleset: RuleSet, ctx: ProbeContext, executor: Executor, *,
            on_facts: ProgressCallback | None = None,
            finishing: Callable[[ScanResult], ScanResult] | None = None) -> str:
        """Observe what the scan lacks and judge it, each observation stored (or spooled) before ``on_facts``
        counts it; apply ``finishing`` (suppressions, baseline); record the end. Returns the status recorded:
        ``COMPLETE``, ``INCOMPLETE`` while observations are only in the spool, "" when the store refused the
        end (``writer.error``); ``COMPLETE`` when nothing is stored.

        Interrupted (KeyboardInterrupt, or SIGTERM through ``scanner.running.interrupts.SigtermGuard``): recorded
        ``INTERRUPTED`` with the observations made, and raised on. Any other exception is raised with the
        scan still running: the caller records it ``FAILED`` (:meth:`end`) or leaves it to be resumed.
        """
        def observed(facts: Facts) -> None:
            if self.writer:  # stored (or spooled) before it counts
                self.writer.add(facts)
            if on_facts:
                on_facts(facts)

        try:
            self.result = scan(self.result, probes, ruleset, ctx, on_facts=observed, executor=executor)
            if finishing:
                self.result = finishing(self.result)
        except KeyboardInterrupt:
            self.end(INTERRUPTED)
            raise
        return self.end()

    def end(self, status: str = COMPLETE) -> str:
        """Record the scan's end as ``status`` (see :meth:`run` for what is returned)."""
        self.recorded = status
        return self.writer.finish(self.result, status) if self.writer else status


def accepted_risks(result: ScanResult, suppressions: Suppressions | None, honour_inline: bool) -> ScanResult:
    """``result`` with the suppressions file's accepted risks, then the inline ones (``# nosec``) unless the
    profile says to ignore them, marked on its findings."""
    if suppressions:
        result = suppressions.apply(result)
    return apply_inline(result, honour=honour_inline)
