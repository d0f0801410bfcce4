"""Real redis-server and `pindai worker` processes for the distributed tests, always cleaned up."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.services.receivers import free_port

REPO = Path(__file__).resolve().parents[2]
REDIS = shutil.which("redis-server") or "/usr/bin/redis-server"


def redis_available() -> bool:
    return Path(REDIS).exists()


def _stop(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM, wait: float = 10.0) -> None:
    """Signal the process group started for ``proc`` (never anything else), then reap it."""
    if proc.poll() is None:
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(wait)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


@dataclass
class RedisProcess:
    """A throw-away Redis on 127.0.0.1:``port`` without persistence; ``kill`` and ``start`` it again (empty)."""

    port: int
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [REDIS, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--daemonize", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL, as a crash would: everything in memory is lost."""
        if self.proc is not None:
            _stop(self.proc, signal.SIGKILL)


@contextmanager
def redis_process() -> Iterator[RedisProcess]:
    """A started :class:`RedisProcess`, stopped afterwards."""
    redis = RedisProcess(free_port())
    try:
        redis.start()
        yield redis
    finally:
        if redis.proc is not None:
            _stop(redis.proc)


@contextmanager
def redis_server() -> Iterator[str]:
    """A throw-away Redis on 127.0.0.1:<random port>; yields its URL."""
    with redis_process() as redis:
        yield redis.url


@dataclass
class Worker:
    proc: subprocess.Popen[bytes]
    log: Path

    def kill(self) -> None:
        """SIGKILL the worker and everything it started, as a crashed machine would."""
        _stop(self.proc, signal.SIGKILL)

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def output_when(self, ready: Callable[[str], bool], timeout: float = 10.0) -> str:
        """The log once ``ready(log)`` holds (Celery logs a success just after storing the result)."""
        deadline = time.monotonic() + timeout
        text = self.output()
        while not ready(text) and time.monotonic() < deadline:
            time.sleep(0.1)
            text = self.output()
        return text


def start_worker(
    broker: str, zone: str, log_dir: Path, *, concurrency: int = 2, visibility_timeout: int = 3,
    env: dict[str, str] | None = None, scope: tuple[str, ...] = ("127.0.0.1",),
    allow_env: tuple[str, ...] = ("PINDAI_TEST_*",),
) -> Worker:
    """Start `pindai worker --zone ZONE --scope ... --allow-env ...` (as ``python -m scanner.commands.worker``)."""
    log = log_dir / f"worker-{zone}-{time.monotonic_ns()}.log"
    env = os.environ | (env or {}) | {"PINDAI_BROKER_URL": broker, "PYTHONPATH": str(REPO),
                                      "PINDAI_VISIBILITY_TIMEOUT": str(visibility_timeout)}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "scanner.commands.worker", "--zone", zone, "--concurrency", str(concurrency),
             *(arg for pattern in scope for arg in ("--scope", pattern)),
             *(arg for pattern in allow_env for arg in ("--allow-env", pattern))],
            cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    return Worker(proc, log)


def wait_ready(worker: Worker, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while " ready." not in worker.output():
        if worker.proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"worker did not start:\n{worker.output()[-3000:]}")
        time.sleep(0.1)


@contextmanager
def workers(broker: str, zones: list[str], log_dir: Path, **kwargs: Any) -> Iterator[list[Worker]]:
    """Start one worker per zone and wait until every one is ready; stop them all afterwards."""
    started: list[Worker] = []
    try:
        started = [start_worker(broker, zone, log_dir, **kwargs) for zone in zones]
        for w in started:
            wait_ready(w)
        yield started
    finally:
        for w in started:  # signal all first, so they shut down in parallel
            if w.proc.poll() is None:
                with suppress(ProcessLookupError):
                    os.killpg(w.proc.pid, signal.SIGQUIT)  # Celery's cold shutdown: tests are over
        for w in started:
            _stop(w.proc)


@contextmanager
def redis_monitor(broker: str) -> Iterator[list[bytes]]:
    """Record every command the Redis server sees (MONITOR) while the block runs."""
    import threading
    from urllib.parse import urlsplit

    parts = urlsplit(broker)
    sock = socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=5)
    sock.sendall(b"MONITOR\r\n")
    received: list[bytes] = []

    def read() -> None:
        with suppress(OSError):
            while chunk := sock.recv(65536):
                received.append(chunk)

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    try:
        yield received
    finally:
        time.sleep(0.2)
        with suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()
        thread.join(5)
