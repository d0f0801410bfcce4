"""scanner.net.reachability: a silent service is checked once and costs one timeout for every probe of every
target on it; services that answer (or refuse) are left to the probes."""

from __future__ import annotations

import pickle
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from scanner.model import Target, TargetKind
from scanner.net.reachability import Reachability, silence
from scanner.probes import load_probes
from scanner.probes.base import ProbeContext
from scanner.running.politeness import HostGate, PolitenessPolicy
from scanner.running.runner import run_probes
from scanner.running.scope import Scope
from tests.services.receivers import free_port
from tests.services.targets import html_sites


@contextmanager
def mute_listener() -> Iterator[tuple[int, list[socket.socket]]]:
    """A port that accepts connections and never sends a byte; yields the port and the accepted sockets."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except TimeoutError:
                continue
            except OSError:
                return

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1], accepted
    finally:
        stop.set()
        thread.join(5)
        for sock in accepted:
            sock.close()
        server.close()


@contextmanager
def full_backlog() -> Iterator[int]:
    """A port whose accept queue is full: the kernel drops new SYNs, as a filtering firewall does."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    port = server.getsockname()[1]
    fillers = []
    for _ in range(2):
        client = socket.socket()
        client.settimeout(1)
        with suppress(OSError):
            client.connect(("127.0.0.1", port))
        fillers.append(client)
    try:
        yield port
    finally:
        for client in fillers:
            client.close()
        server.close()


def test_a_mute_service_is_checked_once_and_every_probe_of_every_target_skips_it() -> None:
    with mute_listener() as (port, accepted):
        targets = [Target(TargetKind.URL, f"https://127.0.0.1:{port}/"),
                   Target(TargetKind.URL, f"https://127.0.0.1:{port}/admin/")]
        started = time.monotonic()
        ctx = ProbeContext(gate=HostGate(PolitenessPolicy(timeout_s=1)), scope=Scope(("127.0.0.1",)))
        facts = run_probes(targets, load_probes(), ctx, workers=8)
        elapsed = time.monotonic() - started
        connections = len(accepted)
    assert {f.probe for f in facts} >= {"tls", "http", "auth"} and len(facts) >= 6
    assert all(f.status == "inconclusive" and "silent service" in f.reason for f in facts), facts
    assert connections == 1  # one check for the service, no probe connected
    assert elapsed < 30  # hang detector only


def test_silence_of_a_filtered_port_and_of_services_that_answer() -> None:
    with full_backlog() as port:
        assert "no answer to a connection within 0.5 s" in silence("https", "127.0.0.1", port, 0.5)
    with mute_listener() as (port, _):
        assert "accepted a connection but answered nothing" in silence("http", "127.0.0.1", port, 0.5)
        assert "answered nothing" in silence("postgresql", "127.0.0.1", port, 0.5)
    with html_sites(1) as (site,):
        port = int(site.rsplit(":", 1)[1].strip("/"))
        assert silence("http", "127.0.0.1", port, 2) == ""
        assert silence("https", "127.0.0.1", port, 2) == ""  # an answer that is not TLS is still an answer
    assert silence("https", "127.0.0.1", free_port(), 2) == ""  # refused: the probes say so themselves


def test_the_check_is_shared_between_threads_and_reset_in_a_child_process() -> None:
    with mute_listener() as (port, accepted):
        reachability = Reachability()
        target = Target(TargetKind.URL, f"http://127.0.0.1:{port}/")
        answers: list[str] = []
        threads = [threading.Thread(target=lambda: answers.append(reachability.silent(target, 0.5)))
                   for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        assert len(answers) == 6 and all("silent service" in a for a in answers) and len(accepted) == 1
    copy = pickle.loads(pickle.dumps(ProbeContext(reachability=reachability)))
    assert copy.reachability._checks == {}
    assert reachability.silent(Target(TargetKind.SOURCE, "/tmp"), 0.5) == ""


def test_targets_whose_probes_connect_elsewhere_are_not_prechecked() -> None:
    from scanner.net.reachability import service_of

    url = "https://portal.contoh.go.id/"
    assert service_of(Target(TargetKind.URL, url)) == ("https", "portal.contoh.go.id", 443)
    assert service_of(Target(TargetKind.URL, url, options={"tls_port": 443})) is not None
    assert service_of(Target(TargetKind.URL, url, options={"tls_port": 8443})) is None
    assert service_of(Target(TargetKind.URL, "https://mail.contoh.go.id:25/", options={"starttls": "smtp"})) is None
    assert service_of(Target(TargetKind.DATABASE, "postgresql://u@10.0.0.5/db")) == ("postgresql", "10.0.0.5", 5432)
    assert service_of(Target(TargetKind.DATABASE, "sqlite:///x.db")) is None


def test_ipv6_loopback_and_a_check_that_breaks(monkeypatch) -> None:
    import scanner.net.reachability as reachability

    server = socket.socket(socket.AF_INET6)
    try:
        server.bind(("::1", 0))
    except OSError:
        server.close()
        return  # no IPv6 loopback on this machine
    server.listen(8)
    try:
        assert "answered nothing" in silence("https", "::1", server.getsockname()[1], 0.5)
    finally:
        server.close()

    def broken(*args: object) -> str:
        raise ValueError("odd host name")

    monkeypatch.setattr(reachability, "silence", broken)
    assert Reachability().silent(Target(TargetKind.URL, "https://127.0.0.1:9/"), 0.5) == ""  # the probes decide
