"""scanner.service.daemon: scheduled profiles are scanned, stored and announced; bad profiles are skipped."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from threading import Event
from zoneinfo import ZoneInfo

import pytest

from scanner.history.store import Store
from scanner.service.daemon import run_daemon
from tests.services.processes import REPO
from tests.services.receivers import free_port, smtp_receiver, webhook_receiver
from tests.services.targets import make_db, write_rules

JAKARTA = ZoneInfo("Asia/Jakarta")
PROBES = ["database"]


def write_profile(path: Path, db: Path, *, cron: str = "0 2 * * *", notify: str = "", name: str = "Dinas Uji") -> Path:
    path.write_text(f"""\
name = "{name}"

[schedule]
cron = "{cron}"
timezone = "Asia/Jakarta"

[notify]
min_severity = "high"
{notify}

[[targets]]
target = "sqlite:///{db}"
agency = "Dinas Uji"
""", encoding="utf-8")
    return path


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    return write_rules(tmp_path / "rules")


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(f"sqlite:///{tmp_path / 'history.db'}")


def at(day: str, hhmm: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{hhmm}:00").replace(tzinfo=JAKARTA)


def test_once_scans_stores_and_notifies_only_new_findings(tmp_path: Path, rules: Path, store: Store) -> None:
    db = make_db(tmp_path / "warga.db")
    with webhook_receiver() as hook, smtp_receiver() as smtp:
        notify = (f'webhook_url = "{hook.url}"\nsmtp_host = "127.0.0.1"\nsmtp_port = {smtp.port}\n'
                  'mail_to = ["csirt@contoh.go.id"]')
        profile = write_profile(tmp_path / "dinas.toml", db, notify=notify)

        (first,) = run_daemon([profile], store, once=True, now=at("2026-01-05", "02:30"), rules_path=rules,
                              probe_names=PROBES)
        assert first.error == "" and first.new_findings == 1
        assert [d.ok for d in first.deliveries] == [True, True]
        stored = store.load(first.scan_id)
        assert stored.profile["path"] == str(profile.resolve())
        assert {f.rule_id for f in stored.findings} == {"PND-SVC-001", "PND-SVC-002"}
        assert hook.bodies[0]["findings"][0]["target"] == stored.targets[0].id
        assert smtp.messages[0]["Subject"] == "[Pindai] 1 temuan baru / 1 new findings — Dinas Uji"

        # same cron window: already ran, nothing is due
        assert run_daemon([profile], store, once=True, now=at("2026-01-05", "02:45"), rules_path=rules,
                          probe_names=PROBES) == []

        # a later window with one more personal-data table: only that one is new
        make_db(db, {"pemohon": [("3174011505900002", "sari@contoh.go.id")]})
        later = datetime.now(UTC) + timedelta(days=1)
        (second,) = run_daemon([profile], store, once=True, now=later, rules_path=rules, probe_names=PROBES)
    assert second.error == "" and second.new_findings == 1 and second.open_findings == 4
    assert len(hook.bodies) == 2 and hook.bodies[1]["previous_scan_id"] == first.scan_id
    assert [f["item"] for f in hook.bodies[1]["findings"]] == ["pemohon"]
    assert len(smtp.messages) == 2
    assert {s.scan_id for s in store.history()} == {second.scan_id, first.scan_id}


def test_bad_profiles_are_reported_and_the_others_still_run(tmp_path: Path, rules: Path, store: Store) -> None:
    good = write_profile(tmp_path / "good.toml", make_db(tmp_path / "a.db"), cron="* * * * *")
    broken = tmp_path / "broken.toml"
    broken.write_text("name = [unclosed", encoding="utf-8")
    unscheduled = tmp_path / "unscheduled.toml"
    unscheduled.write_text(f'[[targets]]\ntarget = "sqlite:///{tmp_path / "a.db"}"\n', encoding="utf-8")
    missing = tmp_path / "missing.toml"
    outcomes = run_daemon([broken, good, unscheduled, missing], store, once=True, rules_path=rules,
                          probe_names=PROBES)
    errors = [o for o in outcomes if o.error]
    assert len(errors) == 3
    assert "invalid TOML" in errors[0].error and "no [schedule]" in errors[1].error
    assert "cannot read profile" in errors[2].error
    (ran,) = [o for o in outcomes if not o.error]
    assert ran.profile == str(good.resolve()) and store.load(ran.scan_id).findings


def test_loop_waits_for_the_next_cron_time_in_the_profile_timezone(tmp_path: Path, rules: Path, store: Store) -> None:
    profile = write_profile(tmp_path / "p.toml", make_db(tmp_path / "a.db"), cron="0 2 * * *")
    clock = [at("2099-03-01", "01:00")]  # never scanned: overdue at start, then 02:00 WIB
    naps: list[float] = []
    stop = Event()

    def sleep(seconds: float) -> None:
        if len(store.history()) >= 2:  # the 02:00 run is done: stop instead of waiting a day
            stop.set()
            return
        naps.append(seconds)
        clock[0] += timedelta(seconds=seconds)

    outcomes = run_daemon([profile], store, now=lambda: clock[0], sleep=sleep, stop=stop, rules_path=rules,
                          probe_names=PROBES)
    assert [o.error for o in outcomes] == ["", ""]
    assert clock[0] == at("2099-03-01", "02:00")  # the second run came at 02:00 Asia/Jakarta, not before
    assert max(naps) <= 5.0 and sum(naps) == pytest.approx(3600)


def test_sigterm_stops_between_scans(tmp_path: Path, rules: Path, store: Store) -> None:
    with webhook_receiver() as hook:
        first = write_profile(tmp_path / "one.toml", make_db(tmp_path / "one.db"), cron="* * * * *",
                              notify=f'webhook_url = "{hook.url}"')
        second = write_profile(tmp_path / "two.toml", make_db(tmp_path / "two.db"), cron="* * * * *")
        hook.on_request = lambda: os.kill(os.getpid(), signal.SIGTERM)  # arrives during the first run
        previous = signal.getsignal(signal.SIGTERM)
        outcomes = run_daemon([first, second], store, rules_path=rules, probe_names=PROBES)
        assert signal.getsignal(signal.SIGTERM) is previous
    assert [o.profile for o in outcomes] == [str(first.resolve())]  # finished and stored, then stopped
    assert store.status(outcomes[0].scan_id) == "complete"


def test_daemon_command_exits_on_sigterm_while_waiting(tmp_path: Path, rules: Path) -> None:
    profile = write_profile(tmp_path / "p.toml", make_db(tmp_path / "a.db"), cron="0 0 1 1 *")
    code = ("import sys; from scanner.commands.daemon import daemon; "
            "sys.exit(daemon(sys.argv[1:], standalone_mode=True))")
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(profile), "--store", f"sqlite:///{tmp_path / 'h.db'}",
         "--rules", str(rules), "--no-default-rules", "--probe", "database"],
        cwd=REPO, stderr=subprocess.PIPE, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        store = Store(f"sqlite:///{tmp_path / 'h.db'}")
        while not store.history() or store.history()[0].status != "complete":  # the overdue first run
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.1)
        time.sleep(0.5)
        signalled = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(15) == 0
        assert time.monotonic() - signalled < 10  # the wait for 1 January ends at once (slack for a busy machine)
        assert proc.stderr is not None and b"2 open, 1 new" in proc.stderr.read()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def test_start_logs_each_profiles_next_run_in_local_time(tmp_path: Path, rules: Path, store: Store,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    db = make_db(tmp_path / "a.db")
    fresh = write_profile(tmp_path / "fresh.toml", db, cron="0 2 * * 1")
    run_daemon([fresh], store, once=True, now=at("2026-12-06", "12:00"), rules_path=rules, probe_names=PROBES)
    with caplog.at_level(logging.INFO, logger="scanner.service.daemon"):
        assert run_daemon([fresh], store, once=True, now=at("2026-12-06", "12:00"), rules_path=rules,
                          probe_names=PROBES) == []
    assert f"profile {fresh.resolve()}: next run 2026-12-07 02:00 WIB (Asia/Jakarta)" in caplog.text


def test_each_run_logs_start_end_and_what_was_not_observed(tmp_path: Path, rules: Path, store: Store,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    profile = write_profile(tmp_path / "p.toml", make_db(tmp_path / "a.db"))
    with profile.open("a", encoding="utf-8") as handle:
        handle.write(f'\n[[targets]]\ntarget = "sqlite:///{tmp_path / "hilang" / "b.db"}"\nagency = "Dinas B"\n')
    with caplog.at_level(logging.INFO, logger="scanner.service.daemon"):
        (outcome,) = run_daemon([profile], store, once=True, rules_path=rules, probe_names=PROBES)
    assert (outcome.observed, outcome.not_observed) == (1, 1)
    assert f"run started, scan {outcome.scan_id}, 2 target(s)" in caplog.text
    assert f"run finished, scan {outcome.scan_id} stored: 1 target(s) observed, 1 not observed" in caplog.text


def test_unwritable_report_folder_never_loses_the_scan(tmp_path: Path, rules: Path, store: Store) -> None:
    profile = write_profile(tmp_path / "p.toml", make_db(tmp_path / "a.db"))
    (tmp_path / "laporan").write_text("a file where the report folder should be")
    (outcome,) = run_daemon([profile], store, once=True, rules_path=rules, probe_names=PROBES)
    assert outcome.error == "" and outcome.report_dir == "" and "laporan" in outcome.report_error
    assert store.status(outcome.scan_id) == "complete" and store.load(outcome.scan_id).findings


def test_schedule_list_prints_next_runs_and_pending_notifications(tmp_path: Path, rules: Path) -> None:
    from click.testing import CliRunner

    from scanner.cli import main

    store_url = f"sqlite:///{tmp_path / 'h.db'}"
    profile = write_profile(tmp_path / "p.toml", make_db(tmp_path / "a.db"), cron="30 7 * * 1",
                            notify='webhook_url = "http://127.0.0.1:9/hook"')
    run_daemon([profile], Store(store_url), once=True, rules_path=rules, probe_names=PROBES)
    result = CliRunner().invoke(main, ["schedule", "list", str(profile), "--store", store_url])
    assert result.exit_code == 0, result.output
    assert "cron: 30 7 * * 1 (Asia/Jakarta)" in result.stdout and "WIB" in result.stdout
    assert "next run / berikutnya: 20" in result.stdout and "notifications pending: 1 (webhook officer" in result.stdout
    missing = CliRunner().invoke(main, ["schedule", "list", str(tmp_path / "none.toml"), "--store", store_url])
    assert missing.exit_code == 2 and "cannot read profile" in missing.stderr


def test_an_outbox_the_store_refuses_still_sends_once_and_keeps_the_scan(tmp_path: Path, rules: Path,
                                                                         store: Store) -> None:
    from scanner.service.outbox import Outbox

    Outbox(store)
    with store.engine.begin() as conn:  # the store refuses every new notification row
        conn.exec_driver_sql("CREATE TRIGGER refuse BEFORE INSERT ON pindai_outbox "
                             "BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END")
    with webhook_receiver() as hook:
        profile = write_profile(tmp_path / "p.toml", make_db(tmp_path / "a.db"), notify=f'webhook_url = "{hook.url}"')
        (outcome,) = run_daemon([profile], store, once=True, rules_path=rules, probe_names=PROBES)
    assert outcome.error == "" and [d.ok for d in outcome.deliveries] == [True] and len(hook.requests) == 1
    assert store.status(outcome.scan_id) == "complete"


def test_loop_wakes_up_for_a_notification_retry_before_the_next_cron_time(tmp_path: Path, rules: Path,
                                                                          store: Store) -> None:
    from scanner.service.outbox import PENDING, Outbox

    port = free_port()  # the webhook refuses connections throughout
    profile = write_profile(tmp_path / "p.toml", make_db(tmp_path / "a.db"), cron="0 2 * * *",
                            notify=f'webhook_url = "http://127.0.0.1:{port}/hook"')
    clock = [at("2099-03-01", "00:00")]
    stop = Event()

    def sleep(seconds: float) -> None:
        clock[0] += timedelta(seconds=seconds)
        if clock[0] >= at("2099-03-01", "00:06"):
            stop.set()

    run_daemon([profile], store, now=lambda: clock[0], sleep=sleep, stop=stop, rules_path=rules, probe_names=PROBES)
    (entry,) = Outbox(store).entries()
    assert (entry.status, entry.attempts) == (PENDING, 2)  # tried at the run, again 5 minutes later
    assert entry.next_attempt_at == at("2099-03-01", "00:15").astimezone(UTC).isoformat()


def test_a_scan_left_running_by_a_killed_daemon_is_finished_on_start(
        tmp_path: Path, rules: Path, caplog: pytest.LogCaptureFixture) -> None:
    """The daemon SIGKILLed mid-scan (the database observed, a slow site not yet): on the next start it
    finishes that scan (only the missing observation is made), says which, and does not start another."""
    from fixtures.hostile import SlowServer

    slow = SlowServer(delay=600, lifetime=200).start()
    profile = tmp_path / "p.toml"
    profile.write_text(f"""\
name = "Dinas Uji"
[schedule]
cron = "0 2 * * *"
timezone = "Asia/Jakarta"
[scope]
allow = ["127.0.0.1"]
[politeness]
timeout = 300
[[targets]]
target = "sqlite:///{make_db(tmp_path / 'a.db')}"
[[targets]]
target = "{slow.url}"
""", encoding="utf-8")
    history = f"sqlite:///{tmp_path / 'h.db'}"
    code = ("import sys; from scanner.commands.daemon import daemon; "
            "sys.exit(daemon(sys.argv[1:], standalone_mode=True))")
    proc = subprocess.Popen([sys.executable, "-c", code, str(profile), "--once", "--store", history, "--rules",
                             str(rules), "--no-default-rules", "--probe", "database", "--probe", "http"],
                            cwd=REPO, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        store = Store(history)
        deadline = time.monotonic() + 60
        while not store.history() or not store.load(store.history()[0].scan_id).facts:
            assert time.monotonic() < deadline and proc.poll() is None, "the daemon did not start its scan"
            time.sleep(0.1)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
        (left,) = store.history()
        assert left.status == "running"
        before = store.load(left.scan_id).facts
        slow.delay = 0
        caplog.set_level("INFO", logger="scanner.service.daemon")
        outcomes = run_daemon([profile], store, once=True, rules_path=rules, probe_names=["database", "http"])
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        slow.stop()
    assert [(o.scan_id, o.error) for o in outcomes] == [(left.scan_id, "")]
    assert [(s.scan_id, s.status) for s in store.history()] == [(left.scan_id, "complete")]
    facts = store.load(left.scan_id).facts
    assert sorted(f.probe for f in facts) == ["database", "http"]
    assert [f for f in facts if f.probe == "database"] == before  # not observed again
    assert f"resuming scan {left.scan_id} left running" in caplog.text


def test_a_scan_left_running_for_a_profile_not_loaded_is_closed(
        tmp_path: Path, rules: Path, store: Store, caplog: pytest.LogCaptureFixture) -> None:
    from scanner.model import ScanResult

    gone = ScanResult("0ld5ca9", "2026-01-01T00:00:00+00:00", "", "0.1.0", "v1", [], [],
                      profile={"path": str(tmp_path / "dihapus.toml"), "runner": "daemon"})
    store.begin_scan(gone)
    by_hand = ScanResult("c1i5ca9", "2026-01-01T00:00:00+00:00", "", "0.1.0", "v1", [], [],
                         profile={"path": str(tmp_path / "dihapus.toml")})
    store.begin_scan(by_hand)  # a `pindai scan` of its own (maybe still running): not the daemon's to close
    profile = write_profile(tmp_path / "p.toml", make_db(tmp_path / "a.db"))
    caplog.set_level("INFO", logger="scanner.service.daemon")
    run_daemon([profile], store, once=True, rules_path=rules, probe_names=PROBES, now=at("2099-01-01", "03:00"))
    assert store.status("0ld5ca9") == "interrupted" and store.status("c1i5ca9") == "running"
    assert "closing scan 0ld5ca9 left running" in caplog.text


def test_a_scan_left_incomplete_is_finished_from_its_spool(
        tmp_path: Path, rules: Path, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """A daemon scan whose observation did not reach the store (spooled, scan `incomplete`): on start the
    daemon writes the spooled observation (not observed again) and completes the scan."""
    from scanner.history.spool import Spool
    from scanner.judging.rules import load_rules
    from scanner.model import Facts
    from scanner.profile import load_profile
    from scanner.running.scan import new_scan

    monkeypatch.setenv("PINDAI_SPOOL_DIR", str(tmp_path / "spool"))
    path = write_profile(tmp_path / "p.toml", make_db(tmp_path / "a.db")).resolve()
    profile = load_profile(path)
    left = new_scan(profile.targets, load_rules(rules), profile.summary() | {"runner": "daemon"})
    store.begin_scan(left)
    spooled = Facts("database", profile.targets[0].id, {"tables": []}, started_at="2026-12-06T01:02:03+00:00")
    Spool(store.display_url, left.scan_id).append(spooled)
    store.finish_scan(left, "incomplete")
    (outcome,) = run_daemon([path], store, once=True, rules_path=rules, probe_names=PROBES)  # not due again
    assert outcome.scan_id == left.scan_id and outcome.error == ""
    assert store.status(left.scan_id) == "complete"
    assert [f.started_at for f in store.load(left.scan_id).facts] == [spooled.started_at]


def test_unset_password_variable_fails_the_run_and_says_so(tmp_path: Path, rules: Path, store: Store,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PINDAI_TEST_NO_SUCH_PASSWORD", raising=False)
    profile = write_profile(tmp_path / "p.toml", make_db(tmp_path / "d.db"))
    scoped = profile.read_text(encoding="utf-8").replace("[schedule]", '[scope]\nallow = ["127.0.0.1"]\n\n[schedule]')
    profile.write_text(scoped + """
[[targets]]
target = "postgresql://pindai@127.0.0.1:1/simpeg"
password_env = "PINDAI_TEST_NO_SUCH_PASSWORD"
""", encoding="utf-8")
    (outcome,) = run_daemon([profile], store, once=True, rules_path=rules, probe_names=PROBES)
    assert "PINDAI_TEST_NO_SUCH_PASSWORD is not set" in outcome.error
    assert store.history() == []  # nothing was scanned with an empty password
    from click.testing import CliRunner

    from scanner.cli import main

    done = CliRunner().invoke(main, ["daemon", "--once", "--rules", str(rules), "--probe", "database",
                                     "--store", f"sqlite:///{tmp_path / 'h2.db'}", str(profile)])
    assert done.exit_code == 2 and "PINDAI_TEST_NO_SUCH_PASSWORD is not set" in done.stderr


def test_missing_driver_extra_fails_the_run_and_says_so(tmp_path: Path, rules: Path, store: Store,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pymysql", None)  # as if the [mysql] extra were not installed
    profile = write_profile(tmp_path / "p.toml", make_db(tmp_path / "d.db"))
    scoped = profile.read_text(encoding="utf-8").replace("[schedule]", '[scope]\nallow = ["127.0.0.1"]\n\n[schedule]')
    profile.write_text(scoped + '\n[[targets]]\ntarget = "mysql://pindai@127.0.0.1:1/simpeg"\n', encoding="utf-8")
    (outcome,) = run_daemon([profile], store, once=True, rules_path=rules, probe_names=PROBES)
    assert "pipx inject pindai pymysql" in outcome.error and store.history() == []
