"""Distributed scanning with a real redis-server and real `pindai worker` processes in two zones."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from fixtures.hostile.recording import RecordingSite
from scanner.judging.rules import RuleSet, load_rules
from scanner.model import Facts, Target, TargetKind
from scanner.probes import load_probes
from scanner.probes.base import ProbeContext
from scanner.running.distributed import CeleryExecutor, make_app, run_distributed, zone_queue
from scanner.running.scan import judged, new_scan, scan
from scanner.running.scope import Scope
from scanner.targets import parse_target
from tests.services.processes import (
    Worker,
    redis_available,
    redis_monitor,
    redis_server,
    start_worker,
    wait_ready,
    workers,
)
from tests.services.targets import api_server, make_db, write_rules

pytestmark = pytest.mark.skipif(not redis_available(), reason="redis-server is not installed")

PROBES = ["database", "auth"]


@pytest.fixture(scope="module")
def broker() -> Iterator[str]:
    with redis_server() as url:
        yield url


@pytest.fixture(scope="module")
def app(broker: str):
    os.environ["PINDAI_VISIBILITY_TIMEOUT"] = "3"
    try:
        yield make_app(broker)
    finally:
        os.environ.pop("PINDAI_VISIBILITY_TIMEOUT", None)


@pytest.fixture(scope="module")
def zone_workers(broker: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Worker]]:
    """Workers for zones a, b and d, started together once for this module."""
    zones = ["a", "b", "d"]
    # a long visibility timeout: these workers are never killed, so no task should run twice
    with workers(broker, zones, tmp_path_factory.mktemp("workers"), visibility_timeout=120) as started:
        yield dict(zip(zones, started, strict=True))


@pytest.fixture(scope="module")
def ruleset(tmp_path_factory: pytest.TempPathFactory) -> RuleSet:
    return load_rules(write_rules(tmp_path_factory.mktemp("rules")))


def test_queue_per_zone() -> None:
    assert zone_queue("dmz") == "pindai.zone.dmz"
    assert zone_queue("") == "pindai.zone.default"


def test_two_zones_give_the_same_findings_as_a_local_scan(
    zone_workers: dict[str, Worker], app, ruleset: RuleSet, tmp_path: Path
) -> None:
    with api_server() as api_a, api_server() as api_b:
        targets = [
            parse_target(f"sqlite:///{make_db(tmp_path / 'warga-a.db')}", zone="a"),
            parse_target(f"sqlite:///{make_db(tmp_path / 'pegawai-b.db', {'pegawai': [('1', 'x@y.id')]})}",
                         zone="b"),
            parse_target(api_a.url, zone="a", options={"auth": {}}),
            parse_target(api_b.url, zone="b", options={"auth": {}}),
            parse_target(f"sqlite:///{make_db(tmp_path / 'kosong.db', {'log': []})}", zone="b"),
        ]
        ctx = ProbeContext(scope=Scope(("127.0.0.1",)))
        probes = load_probes(PROBES)
        local = scan(new_scan(targets, ruleset), probes, ruleset, ctx)
        seen: list[Facts] = []

        remote = scan(new_scan(targets, ruleset), probes, ruleset, ctx, on_facts=seen.append,
                      executor=CeleryExecutor(app=app, timeout=60))  # against the test broker
        log_a = zone_workers["a"].output_when(lambda text: text.count(" succeeded in ") >= 2)
        log_b = zone_workers["b"].output_when(lambda text: text.count(" succeeded in ") >= 3)
    assert all(f.conclusive for f in remote.facts), [f.reason for f in remote.facts]
    assert {f.fingerprint for f in remote.findings} == {f.fingerprint for f in local.findings}
    assert {f.rule_id for f in remote.findings} == {"PND-SVC-001", "PND-SVC-002", "PND-SVC-003"}
    assert len(seen) == len(remote.facts) == 5
    assert [(f.target_id, f.probe) for f in remote.facts] == [(f.target_id, f.probe) for f in local.facts]
    # each zone's worker observed exactly its own zone's targets
    assert log_a.count(" succeeded in ") == 2 and log_b.count(" succeeded in ") == 3, log_a + "\n-----\n" + log_b
    assert "warga-a.db" in log_a and api_a.url.split("/api")[0] in log_a
    assert "pegawai-b.db" in log_b and "kosong.db" in log_b and "warga-a.db" not in log_b


def test_zone_without_worker_is_inconclusive_naming_the_zone(app, ruleset: RuleSet, tmp_path: Path) -> None:
    target = parse_target(f"sqlite:///{make_db(tmp_path / 'x.db')}", zone="nowhere")
    (facts,) = run_distributed([target], ["database"], ProbeContext(), app=app, timeout=1.5)
    assert facts.status == "inconclusive" and "'nowhere'" in facts.reason and "pindai.zone.nowhere" in facts.reason


def test_inline_password_never_goes_to_the_broker(app) -> None:
    target = parse_target("postgresql://pindai:rahasia@127.0.0.1:1/db", zone="a")
    assert target.password == "rahasia" and "rahasia" not in str(target.to_dict())
    (facts,) = run_distributed([target], ["database"], ProbeContext(), app=app, timeout=1)
    assert facts.status == "inconclusive" and "password_env" in facts.reason


def test_database_password_comes_from_the_worker_environment_not_the_broker(
    broker: str, app, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fixtures.db.servers import ADMIN, start_postgresql

    try:
        server = start_postgresql("weak")
    except Exception as exc:  # no PostgreSQL binaries on this machine
        pytest.skip(f"PostgreSQL unavailable: {exc}")
    env = "PINDAI_TEST_PG_PASSWORD"
    monkeypatch.delenv(env, raising=False)  # the coordinator does not know the password
    try:
        location = server.url(query=server.scan_query).replace("postgresql+psycopg", "postgresql")
        target = parse_target(location, zone="db", password_env=env)
        worker = start_worker(broker, "db", tmp_path, env={env: server.admin_password})
        try:
            wait_ready(worker)
            with redis_monitor(broker) as traffic:
                (facts,) = run_distributed([target], ["database"], ProbeContext(), app=app, timeout=60)
        finally:
            worker.kill()
    finally:
        server.stop()
    assert facts.conclusive, facts.reason
    assert facts.data["user"] == ADMIN and facts.data["engine"] == "postgresql"
    seen = b"".join(traffic)
    assert b"observe_remote" in seen or b"pindai.zone.db" in seen  # the monitor did see the task
    assert server.admin_password.encode() not in seen


def test_worker_keeps_its_own_scope_and_environment_whatever_the_task_says(broker: str, app, tmp_path: Path) -> None:
    """A broker writer names a worker secret as bearer_env and widens the scope to 127.0.0.2: both refused."""
    secret = "worker-only-secret-7c1e"
    auth = {"bearer_env": "WORKER_SECRET_TOKEN", "endpoints": [{"url": "/api"}]}
    with RecordingSite("127.0.0.1", {"/api": (200, {}, b"{}")}) as site, \
            RecordingSite("127.0.0.2", {"/api": (200, {}, b"{}")}) as other:
        worker = start_worker(broker, "guard", tmp_path, env={"WORKER_SECRET_TOKEN": secret})  # --scope 127.0.0.1
        try:
            wait_ready(worker)
            targets = [Target(TargetKind.URL, s.url + "api", zone="guard", options={"auth": auth})
                       for s in (site, other)]
            local, remote = run_distributed(targets, ["auth"], ProbeContext(scope=Scope.allow_all()), app=app,
                                            timeout=60)
        finally:
            worker.kill()
    assert other.requests == []
    assert not [r for r in site.requests if secret in str(r.headers)]
    assert local.status == "inconclusive" and "may not read environment variable WORKER_SECRET_TOKEN" in local.reason
    assert remote.status == "inconclusive" and "outside this worker's --scope allowlist" in remote.reason


def test_killed_worker_mid_task_is_replaced_and_the_scan_completes(
    broker: str, app, ruleset: RuleSet, tmp_path: Path
) -> None:
    with api_server(hold=True) as api:
        targets = [parse_target(api.url, zone="c", options={"auth": {}}),
                   parse_target(f"sqlite:///{make_db(tmp_path / 'c.db')}", zone="c")]
        first = start_worker(broker, "c", tmp_path, concurrency=1)
        replacement = None
        try:
            wait_ready(first)
            box: dict[str, list[Facts]] = {}
            thread = threading.Thread(target=lambda: box.setdefault("facts", run_distributed(
                targets, PROBES, ProbeContext(scope=Scope(("127.0.0.1",))), app=app, timeout=90)))
            thread.start()
            assert api.hit.wait(30), first.output()[-2000:]
            first.kill()  # SIGKILL while the task is in the middle of its HTTP request
            api.hold = False
            api.release.set()
            replacement = start_worker(broker, "c", tmp_path, concurrency=1)
            thread.join(90)
            assert not thread.is_alive()
        finally:
            first.kill()
            if replacement is not None:
                replacement.kill()
    facts = box["facts"]
    assert [f.probe for f in facts] == ["auth", "database"]
    assert all(f.conclusive for f in facts), [f.reason for f in facts]
    assert len(api.hits) >= 2  # the request was made again by the replacement worker
    assert "received" in replacement.output()
    result = judged(replace(new_scan(targets, ruleset), facts=facts), ruleset)
    assert any(f.rule_id == "PND-SVC-003" for f in result.findings)


def test_target_round_trip_keeps_zone_and_options() -> None:
    target = Target.from_dict(parse_target("http://127.0.0.1:8080/x", zone="dmz", options={"auth": {}}).to_dict())
    assert target.zone == "dmz" and target.options == {"auth": {}}


def test_unreachable_broker_makes_every_observation_inconclusive(tmp_path: Path) -> None:
    from tests.services.receivers import free_port

    db = make_db(tmp_path / "x.db")
    targets = [parse_target(f"sqlite:///{db}", zone="a"), parse_target(f"sqlite:///{make_db(tmp_path / 'y.db')}")]
    dead = make_app(f"redis://:geheim@127.0.0.1:{free_port()}/0")
    seen: list[Facts] = []
    facts = run_distributed(targets, ["database"], ProbeContext(), app=dead, timeout=5, on_facts=seen.append,
                            skip={(targets[1].id, "database")})  # resumed scan: y.db was observed already
    assert [f.target_id for f in facts] == [targets[0].id] and seen == facts
    assert facts[0].status == "inconclusive" and "unreachable" in facts[0].reason
    assert "geheim" not in facts[0].reason


def test_daemon_once_distributed_stores_and_notifies(
    broker: str, zone_workers: dict[str, Worker], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scanner.history.store import Store
    from scanner.service.daemon import run_daemon
    from tests.services.receivers import webhook_receiver

    monkeypatch.setenv("PINDAI_BROKER_URL", broker)
    rules = write_rules(tmp_path / "rules")
    db = make_db(tmp_path / "warga.db")
    store = Store(f"sqlite:///{tmp_path / 'history.db'}")
    with webhook_receiver() as hook:
        profile = tmp_path / "p.toml"
        profile.write_text(f'name = "Zona D"\n[schedule]\ncron = "* * * * *"\n[notify]\nwebhook_url = "{hook.url}"\n'
                           f'[[targets]]\ntarget = "sqlite:///{db}"\nzone = "d"\n', encoding="utf-8")
        (outcome,) = run_daemon([profile], store, once=True, rules_path=rules, probe_names=["database"],
                                distributed=True)
        log = zone_workers["d"].output_when(lambda text: "warga.db" in text)
    assert outcome.error == "" and outcome.new_findings == 1
    assert store.load(outcome.scan_id).facts[0].conclusive and "warga.db" in log
    assert hook.bodies[0]["findings"][0]["rule_id"] == "PND-SVC-001"


def test_a_failed_task_becomes_inconclusive_naming_the_zone() -> None:
    from scanner.running.distributed import _collect, _Job

    class Failed:  # what AsyncResult reports when the task raised on the worker (e.g. an older worker)
        result = ValueError("unknown probe(s): tls2")
        forgotten = False

        def ready(self) -> bool:
            return True

        def successful(self) -> bool:
            return False

        def forget(self) -> None:
            self.forgotten = True

    job = _Job(parse_target("https://127.0.0.1/"), "tls", zone_queue("dmz"), Failed())  # type: ignore[arg-type]
    facts = _collect(job)
    assert facts is not None and facts.status == "inconclusive" and facts.probe == "tls"
    assert "zone 'dmz' failed: ValueError: unknown probe(s): tls2" in facts.reason and job.result.forgotten


def test_cli_scan_distributed_matches_local(zone_workers: dict[str, Worker], broker: str, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """`pindai scan --profile ... --distributed` through the real CLI, against the zone workers."""
    import json

    from click.testing import CliRunner

    from scanner.cli import main

    rules = write_rules(tmp_path / "rules")
    profile = tmp_path / "zones.toml"
    profile.write_text(
        f'[[targets]]\ntarget = "sqlite:///{make_db(tmp_path / "cli-warga.db")}"\nzone = "a"\n'
        f'[[targets]]\ntarget = "sqlite:///{make_db(tmp_path / "cli-pegawai.db", {"pegawai": [("1", "x@y.id")]})}"\n'
        'zone = "b"\n')
    monkeypatch.setenv("PINDAI_BROKER_URL", broker)
    monkeypatch.setenv("PINDAI_DISTRIBUTED_TIMEOUT", "60")
    common = ["scan", "--profile", str(profile), "--rules", str(rules), "--no-default-rules", "--probe", "database",
              "--no-store", "--format", "json"]
    local = CliRunner().invoke(main, common, catch_exceptions=False)
    remote = CliRunner().invoke(main, [*common, "--distributed"], catch_exceptions=False)
    assert remote.exit_code == local.exit_code == 0, remote.stderr
    remote_data, local_data = json.loads(remote.stdout), json.loads(local.stdout)
    assert all(f["status"] == "ok" for f in remote_data["facts"]), remote_data["facts"]
    assert {f["fingerprint"] for f in remote_data["findings"]} == {f["fingerprint"] for f in local_data["findings"]}
    assert remote_data["findings"]
    # the zone workers did the observing, each for its own zone
    assert "cli-warga.db" in zone_workers["a"].output_when(lambda text: "cli-warga.db" in text)
    assert "cli-pegawai.db" in zone_workers["b"].output_when(lambda text: "cli-pegawai.db" in text)
    assert "cli-pegawai.db" not in zone_workers["a"].output()


@pytest.mark.parametrize("query", ["hostaddr=127.0.0.2", "host=127.0.0.2", "sslmode=disable&host=127.0.0.2"])
def test_broker_writer_cannot_route_a_database_task_out_of_scope(app, broker: str, tmp_path: Path, query: str) -> None:
    """Security review 2026-12-06 NEW-1: the task's URL query may not override the scope-checked host, and
    libpq may not add the worker's PGPASSWORD (never allowed by --allow-env)."""
    from fixtures.hostile.rogue_db import RoguePostgres

    inside = RoguePostgres("127.0.0.1").start()
    outside = RoguePostgres("127.0.0.2", port=inside.port).start()
    secrets = {"PINDAI_TEST_ALLOWED_PW": "allowed-secret", "PGPASSWORD": "pg-env-secret-NOT-ALLOWED"}
    worker = start_worker(broker, "rogue", tmp_path, env=secrets)
    try:
        wait_ready(worker)
        task = Target(TargetKind.DATABASE, f"postgresql://scanner@127.0.0.1:{inside.port}/simpeg?{query}",
                      zone="rogue", password_env="PINDAI_TEST_ALLOWED_PW")
        (facts,) = run_distributed([task], ["database"], ProbeContext(), app=app, timeout=60)
    finally:
        worker.kill()
        inside.stop()
        outside.stop()
    assert facts.status == "inconclusive" and "'host" in facts.reason, facts.reason
    assert outside.connections == 0 and inside.logins == []  # (the reachability check may connect, sending nothing)


def test_tasks_lost_with_a_restarted_broker_are_sent_again(tmp_path: Path) -> None:
    """Redis SIGKILLed while a worker runs one task and three wait in the queue, restarted empty: the
    coordinator notices the lost tasks within a few checks, sends them again, and every observation
    arrives (without the check it would wait for the whole-scan deadline)."""
    from tests.services.processes import redis_process

    with redis_process() as redis, api_server(hold=True) as api:
        app = make_app(redis.url)
        targets = [parse_target(api.url, zone="e", options={"auth": {}})]
        targets += [parse_target(f"sqlite:///{make_db(tmp_path / f'e{n}.db')}", zone="e") for n in range(3)]
        worker = start_worker(redis.url, "e", tmp_path, concurrency=1)
        try:
            wait_ready(worker)
            box: dict[str, list[Facts]] = {}
            thread = threading.Thread(target=lambda: box.setdefault("facts", run_distributed(
                targets, PROBES, ProbeContext(scope=Scope(("127.0.0.1",))), app=app, timeout=300, lost_check=1)))
            thread.start()
            assert api.hit.wait(30), worker.output()[-2000:]
            redis.kill()
            redis.start()  # same port, empty: the three queued tasks are gone
            api.hold = False
            api.release.set()
            thread.join(90)  # hang detector: the deadline is 300 s
            assert not thread.is_alive(), "the coordinator still waits for lost tasks"
        finally:
            worker.kill()
    facts = box["facts"]
    assert sorted(f.target_id for f in facts) == sorted(t.id for t in targets)
    assert all(f.conclusive for f in facts), [f.reason for f in facts]


def test_a_task_a_worker_runs_too_long_becomes_inconclusive(broker: str, app, tmp_path: Path) -> None:
    """A worker starts a task that does not finish (the API holds its answer): with a 3 s task timeout the
    coordinator records it inconclusive within seconds instead of waiting for the scan's deadline."""
    with api_server(hold=True) as api:
        targets = [parse_target(api.url, zone="f", options={"auth": {}})]
        worker = start_worker(broker, "f", tmp_path, concurrency=1)
        try:
            wait_ready(worker)
            facts = run_distributed(targets, ["auth"], ProbeContext(scope=Scope(("127.0.0.1",))), app=app,
                                    timeout=120, lost_check=0.5, task_timeout=3)
        finally:
            api.release.set()
            worker.kill()
    assert [f.status for f in facts] == ["inconclusive"]
    assert "gave no answer within 3 s (PINDAI_TASK_TIMEOUT)" in facts[0].reason
