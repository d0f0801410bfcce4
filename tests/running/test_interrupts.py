"""One SIGTERM guard for `pindai scan` (stop now, as on Ctrl-C) and `pindai daemon` (stop after the scan)."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from scanner.running.interrupts import SigtermGuard


def test_sigterm_interrupts_like_ctrl_c_and_the_handler_is_restored() -> None:
    before = signal.getsignal(signal.SIGTERM)
    guard = SigtermGuard()
    with pytest.raises(KeyboardInterrupt), guard:
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)  # the handler raises at once; this only bounds the wait
    assert guard.signal_name == "SIGTERM"
    assert signal.getsignal(signal.SIGTERM) is before
    assert SigtermGuard().signal_name == "SIGINT"  # what Ctrl-C's own KeyboardInterrupt is reported as


def test_sigterm_can_ask_to_stop_later_instead() -> None:
    stop = threading.Event()
    with SigtermGuard(stop.set) as guard:
        os.kill(os.getpid(), signal.SIGTERM)
        assert stop.wait(5)
    assert guard.signal_name == "SIGTERM"


def test_outside_the_main_thread_it_installs_nothing() -> None:
    before = signal.getsignal(signal.SIGTERM)
    seen: list[object] = []

    def enter() -> None:
        with SigtermGuard():
            seen.append(signal.getsignal(signal.SIGTERM))

    thread = threading.Thread(target=enter)
    thread.start()
    thread.join(5)
    assert seen == [before]
