"""Scan progress on a terminal: the observations to make, which are running, connections made."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from scanner.model import Facts
from scanner.running.politeness import HostGate

if TYPE_CHECKING:
    from rich.console import Console

MAX_ROWS = 12  # one line per observation up to this many; larger scans show the overall bar only


@contextmanager
def scan_progress(jobs: list[tuple[str, str]], gate: HostGate,
                  console: Console | None = None) -> Iterator[Callable[[Facts], None]]:
    """Yield a callback taking each finished observation; ``jobs`` are the (target id, probe) pairs.

    Draws on standard error only when it is a terminal (or on ``console`` when given): an overall
    bar with the number of connections made so far, and for small scans one line per probe and
    target that spins while it runs and shows its outcome when it ends.
    """
    if not jobs or (console is None and not sys.stderr.isatty()):
        yield lambda facts: None
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

    connections = TextColumn("{task.fields[connections]}")
    with Progress(SpinnerColumn(finished_text="•"), TextColumn("{task.description}"), BarColumn(),
                  MofNCompleteColumn(), connections, console=console or Console(stderr=True),
                  transient=console is None, refresh_per_second=8) as bar:
        def count() -> str:
            return f"{sum(gate.connections.values())} conn."

        overall = bar.add_task("pindai", total=len(jobs), connections=count())
        rows = {job: bar.add_task(f"  {job[1]:<9} {escape(job[0])}", total=1, connections="")  # ids may hold [/]
                for job in jobs[:MAX_ROWS]} if len(jobs) <= MAX_ROWS else {}

        def finished(facts: Facts) -> None:
            row = rows.get((facts.target_id, facts.probe))
            if row is not None:
                outcome = "ok" if facts.conclusive else "inconclusive / tidak dapat disimpulkan"
                bar.update(row, advance=1, connections=outcome)
            bar.update(overall, advance=1, connections=count())

        yield finished
