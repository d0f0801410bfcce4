"""Child processes end when their parent dies, however it dies (SIGKILL included).

On Linux the kernel sends the child SIGKILL when its parent exits (``prctl(PR_SET_PDEATHSIG)``);
elsewhere a daemon thread notices that the parent changed. Without this, a child of a SIGKILLed
``pindai scan`` keeps probing its targets outside any politeness gate, then blocks forever.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading

PR_SET_PDEATHSIG = 1
WATCH_INTERVAL_S = 1.0


def die_with_parent(parent_pid: int) -> None:
    """Make this process end when ``parent_pid`` (its parent) ends; end at once if it already has."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            _watch(parent_pid)
    else:
        _watch(parent_pid)
    if os.getppid() != parent_pid:  # the parent died before the signal was armed
        os._exit(1)


def _watch(parent_pid: int) -> None:
    def watch() -> None:
        while os.getppid() == parent_pid:
            threading.Event().wait(WATCH_INTERVAL_S)
        os._exit(1)

    threading.Thread(target=watch, name="pindai-lifeline", daemon=True).start()
