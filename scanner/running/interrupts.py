"""SIGTERM during a scan: one guard for ``pindai scan`` (stop now, as on Ctrl-C) and ``pindai daemon``
(stop after the current scan)."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any


class SigtermGuard:
    """While installed (``with``), SIGTERM calls ``then``; without ``then`` it raises KeyboardInterrupt, so the
    work stops as on Ctrl-C. ``signal_name`` names the signal that stopped it ("SIGINT" until SIGTERM came).
    Signal handlers belong to the main thread: elsewhere the guard installs nothing."""

    def __init__(self, then: Callable[[], None] | None = None) -> None:
        self.signal_name = "SIGINT"
        self._then = then
        self._previous: Any = None
        self._installed = False

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.signal_name = signal.Signals(signum).name
        if self._then is None:
            raise KeyboardInterrupt
        self._then()

    def __enter__(self) -> SigtermGuard:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGTERM, self._handle)
            self._installed = True
        return self

    def __exit__(self, *exc: object) -> None:
        if self._installed:
            signal.signal(signal.SIGTERM, self._previous)
            self._installed = False
