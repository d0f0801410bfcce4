"""Write one scan's observations to the history store without losing any when the store fails.

Each observation goes to the store in its own transaction. When the store refuses (down, locked,
disk full, file deleted), the observation goes to the scan's spool file (``scanner.history.spool``) and
the store is tried again at most every ``RETRY_S`` seconds; when it answers, the spool is written
first. :meth:`ScanWriter.finish` writes what is left and marks the scan ``complete`` only when
every observation is in the store, else ``incomplete``. ``pindai scan --resume`` calls
:meth:`ScanWriter.recover` to write a spool left by an earlier run.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from scanner.history.spool import Spool
from scanner.history.store import COMPLETE, INCOMPLETE, Store, StoreError
from scanner.model import Facts, ScanResult

log = logging.getLogger(__name__)

RETRY_S = 2.0
STORE, DATA = "store", "data"  # who refused an observation: the store (down, locked ...) or the observation


class ScanWriter:
    """The observations of scan ``scan_id``, on their way to ``store``."""

    def __init__(self, store: Store, scan_id: str, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.store = store
        self.scan_id = scan_id
        self.spool = Spool(store.display_url, scan_id)
        self.pending: dict[tuple[str, str], Facts] = {}  # not in the store yet (spooled, or only here)
        self.error = ""  # the store's last refusal
        self.spool_error = ""  # why the spool could not take an observation (then it is only in memory)
        self._clock = clock
        self._retry_at = 0.0

    @property
    def unstored(self) -> int:
        return len(self.pending)

    def add(self, facts: Facts) -> None:
        """Store one observation, or spool it when the store refuses. Never raises."""
        if self.pending and (self._clock() < self._retry_at or not self.flush()):
            self._keep(facts)
            return
        if self._write(facts) is not None:
            self._keep(facts)

    def flush(self) -> bool:
        """Write the pending observations to the store; False when the store itself refused (then the rest
        wait for the next try). An observation the store cannot take (e.g. an encoding error) stays pending
        without holding up the others."""
        for key, facts in list(self.pending.items()):
            refusal = self._write(facts)
            if refusal is None:
                del self.pending[key]
            elif refusal == STORE:  # try again later
                return False
        if not self.pending:
            self.spool.remove()
            self.spool_error = ""
        return True

    def recover(self) -> int:
        """Queue the observations an earlier run spooled for this scan and write them; how many there were."""
        spooled = self.spool.load()
        for facts in spooled:
            self.pending.setdefault((facts.target_id, facts.probe), facts)
        if spooled and self.flush() and self.pending:  # the store answered but cannot take these: observe again
            log.warning("scan %s: %d spooled observation(s) cannot be stored (%s); they are observed again",
                        self.scan_id, len(self.pending), self.error)
            self.pending.clear()
            self.spool.remove()
        return len(spooled)

    def finish(self, result: ScanResult, status: str = COMPLETE) -> str:
        """Write what is pending, then record the scan's end; the status recorded ("" when the store
        refused that too, ``error`` then says why). A scan with observations outside the store is never
        ``complete``."""
        self.flush()
        if self.pending and status == COMPLETE:
            status = INCOMPLETE
        try:
            self.store.finish_scan(result, status)
        except Exception as exc:  # StoreError, or a bug in the data: either way the end is not recorded
            self._refused(_reason(exc))
            return ""
        if not self.pending:  # everything is in the store: earlier refusals no longer matter
            self.error = ""
        return status

    def summary(self) -> str:
        """One line on what did not reach the store, and how to finish the job (empty when all did)."""
        if not self.pending:
            return ""
        where = (f"kept in {self.spool.path}" if not self.spool_error
                 else f"NOT kept: the spool failed too ({self.spool_error}); only this run's reports have them")
        return (f"{self.unstored} observation(s) are not in the history store ({self.error}); {where}. "
                f"When the store is back: pindai scan --resume {self.scan_id} / "
                f"{self.unstored} observasi belum tersimpan; lanjutkan dengan perintah tersebut")

    def _keep(self, facts: Facts) -> None:
        self.pending[(facts.target_id, facts.probe)] = facts
        try:
            self.spool.append(facts)
        except OSError as exc:
            self.spool_error = f"{self.spool.path}: {exc.strerror or exc}"

    def _write(self, facts: Facts) -> str | None:
        """One observation into the store: None when it went in, else who refused (``STORE`` or ``DATA``)."""
        try:
            self.store.add_facts(self.scan_id, facts)
        except StoreError as exc:  # the store is down, locked, full or gone: pause before the next try
            self._refused(str(exc))
            self._retry_at = self._clock() + RETRY_S
            return STORE
        except Exception as exc:  # this observation only (e.g. an encoding error): the others go on
            self._refused(_reason(exc))
            return DATA
        return None

    def _refused(self, message: str) -> None:
        if message != self.error:
            log.warning("scan %s: %s; observations go to %s until the store takes them", self.scan_id, message,
                        self.spool.path)
        self.error = message


def _reason(exc: Exception) -> str:
    return str(exc) if isinstance(exc, StoreError) else f"{type(exc).__name__}: {exc}"
