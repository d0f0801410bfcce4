"""Follow-up across real stored scans: open, acknowledge, verified fix, regression, risk expiry, the audit log."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest

from scanner.followup.states import State
from scanner.followup.tracker import Filters, FollowUpError, Tracker, export_log
from scanner.history.store import Store
from scanner.model import Exposure, Facts, Finding, ScanResult, Severity, Target, TargetKind
from tests.history.test_schema import new_pg_database, postgres  # noqa: F401  (the fixture, for the PostgreSQL runs)

WEB = Target(TargetKind.URL, "https://portal.contoh.go.id/", agency="Diskominfo", exposure=Exposure.INTERNET)
DB = Target(TargetKind.DATABASE, "postgresql://pindai@db.contoh.go.id/simpeg", agency="BKPSDM")
RULES = ["PND-TLS-001", "PND-DB-001"]


def finding(rule: str, target: Target, key: str, probe: str, severity: Severity) -> Finding:
    return Finding(rule, target.id, key, severity, 50.0, {"id": "judul", "en": "title"}, {"id": "p", "en": "m"},
                   {"name": key}, [], probe, target.agency)


TLS_OLD = finding("PND-TLS-001", WEB, "SSLv3", "tls", Severity.HIGH)
DB_SSL = finding("PND-DB-001", DB, "ssl", "database", Severity.CRITICAL)


def scan(scan_id: str, day: int, findings: list[Finding], db_observed: bool = True,
         profile: dict | None = None) -> ScanResult:
    facts = [Facts("tls", WEB.id, {}),
             Facts("database", DB.id, {}, status="ok" if db_observed else "inconclusive", reason="timeout")]
    at = f"2026-11-{day:02d}T01:00:00+00:00"
    return ScanResult(scan_id, at, at, "0.1.0", "v1", [WEB, DB], facts, findings, evaluated_rules=RULES,
                      profile=profile or {})


class Clock:
    def __init__(self, day: int) -> None:
        self.day = day

    def __call__(self) -> datetime:
        return datetime(2026, 11, self.day, 12, tzinfo=UTC)


@pytest.fixture
def clock() -> Clock:
    return Clock(2)


@pytest.fixture(params=["sqlite", "postgresql"])
def tracker(request, tmp_path, clock) -> Tracker:
    """The same tests on the embedded default and on a shared PostgreSQL store."""
    if request.param == "sqlite":
        return Tracker(Store(f"sqlite:///{tmp_path / 'history.db'}"), now=clock)
    return Tracker(Store(new_pg_database(request.getfixturevalue("postgres"))), now=clock)


def states(tracker: Tracker) -> dict[str, str]:
    return {i.rule_id: i.state for i in tracker.items()}


def test_new_findings_open_with_due_dates_from_the_profile_sla(tracker):
    tracker.store.save(scan("s1", 1, [TLS_OLD, DB_SSL], profile={"sla": {"critical": 3}}))
    assert tracker.sync() == 1 and tracker.sync() == 0
    items = {i.rule_id: i for i in tracker.items()}
    assert items["PND-DB-001"].due == "2026-11-04"  # profile's critical = 3 days
    assert items["PND-TLS-001"].due == "2026-12-01"  # default high = 30 days
    assert items["PND-DB-001"].agency == "BKPSDM" and items["PND-DB-001"].state == State.OPEN
    tracker.now = Clock(5)
    assert [i.rule_id for i in tracker.items(Filters(overdue=True))] == ["PND-DB-001"]


def test_fix_is_verified_only_where_the_target_was_observed_and_regressions_reopen(tracker):
    tracker.store.save(scan("s1", 1, [TLS_OLD, DB_SSL]))
    tracker.sync()
    tracker.act(TLS_OLD.fingerprint, "ack", "petugas", assignee="tim-infra", target_date="2026-11-20")
    tracker.store.save(scan("s2", 8, [], db_observed=False))  # the database did not answer
    tracker.sync()
    assert states(tracker) == {"PND-TLS-001": "verified_fixed", "PND-DB-001": "open"}
    tracker.store.save(scan("s3", 15, [TLS_OLD]))
    tracker.sync()
    item = tracker.item(TLS_OLD.fingerprint)
    assert item and item.state == "open" and item.regression and item.opened_at.startswith("2026-11-15")
    assert states(tracker)["PND-DB-001"] == "verified_fixed"  # observed in s3 and gone
    log = [(e.actor, e.from_state, e.to_state) for e in tracker.log(TLS_OLD.fingerprint)]
    assert log == [("pindai", "", "open"), ("petugas", "open", "acknowledged"),
                   ("pindai", "acknowledged", "verified_fixed"), ("pindai", "verified_fixed", "open")]
    assert "regression" in tracker.log(TLS_OLD.fingerprint)[-1].note


def test_no_verified_fix_when_the_rule_was_skipped_or_failed_on_the_target(tracker):
    from scanner.model import RuleEvaluationError

    tracker.store.save(scan("s1", 1, [TLS_OLD]))
    tracker.sync()
    skipped = scan("s2", 8, [])
    skipped.evaluated_rules = ["PND-DB-001"]  # e.g. --exclude-rule PND-TLS-001
    failed = scan("s3", 15, [])
    failed.evaluation_errors = [RuleEvaluationError("PND-TLS-001", WEB.id, "no such key")]
    for result in (skipped, failed):
        tracker.store.save(result)
        tracker.sync()
        assert states(tracker) == {"PND-TLS-001": "open"}


def test_claimed_fix_still_seen_is_reopened(tracker):
    tracker.store.save(scan("s1", 1, [TLS_OLD]))
    tracker.sync()
    tracker.act(TLS_OLD.fingerprint[:10], "fixed", "dinas", note="patched")
    tracker.store.save(scan("s2", 8, [TLS_OLD]))
    tracker.sync()
    item = tracker.item(TLS_OLD.fingerprint)
    assert item and item.state == "open" and not item.regression


def test_risk_acceptance_needs_approver_reason_expiry_and_reopens_at_expiry(tracker, clock):
    tracker.store.save(scan("s1", 1, [DB_SSL]))
    tracker.sync()
    with pytest.raises(FollowUpError, match="approver, reason, expires"):
        tracker.act(DB_SSL.fingerprint, "accept", "kepala")
    with pytest.raises(FollowUpError, match="future"):
        tracker.act(DB_SSL.fingerprint, "accept", "kepala", approver="Kadis", reason="legacy", expires="2026-11-01")
    tracker.act(DB_SSL.fingerprint, "accept", "kepala", approver="Kadis", reason="legacy", expires="2026-11-10")
    tracker.store.save(scan("s2", 8, [DB_SSL]))
    tracker.sync()
    assert states(tracker) == {"PND-DB-001": "risk_accepted"}
    clock.day = 11
    tracker.sync()
    assert states(tracker) == {"PND-DB-001": "open"}
    assert tracker.log(DB_SSL.fingerprint)[-1].note == "risk acceptance expired on 2026-11-10"


def test_actions_respect_states_scope_and_mask_personal_data(tracker):
    tracker.store.save(scan("s1", 1, [TLS_OLD, DB_SSL]))
    tracker.sync()
    with pytest.raises(FollowUpError, match="no finding"):
        tracker.act(DB_SSL.fingerprint, "ack", "dinas", agency="Diskominfo")
    with pytest.raises(FollowUpError, match="needs reason"):
        tracker.act(TLS_OLD.fingerprint, "false-positive", "dinas")
    tracker.act(TLS_OLD.fingerprint, "false-positive", "budi@dinas.contoh.go.id",
                reason="hubungi 081234567890, NIK 3171011507900001")
    assert "budi@dinas" not in tracker.log(TLS_OLD.fingerprint)[-1].actor
    with pytest.raises(FollowUpError, match="allowed from"):
        tracker.act(TLS_OLD.fingerprint, "fixed", "dinas")
    item = tracker.item(TLS_OLD.fingerprint)
    assert item and "081234567890" not in item.reason and "3171011507900001" not in item.reason
    assert [i.rule_id for i in tracker.items(Filters(agency="BKPSDM"))] == ["PND-DB-001"]
    assert tracker.log(agency="BKPSDM") and all(e.fingerprint == DB_SSL.fingerprint
                                                 for e in tracker.log(agency="BKPSDM"))


def test_log_exports_as_json_and_spreadsheet_safe_csv(tracker):
    tracker.store.save(scan("s1", 1, [TLS_OLD]))
    tracker.sync()
    tracker.act(TLS_OLD.fingerprint, "fixed", "=cmd|' /C calc'!A0", note="+SUM(1)")
    rows = list(csv.DictReader(io.StringIO(export_log(tracker.log(), "csv"))))
    assert rows[-1]["actor"].startswith("'=") and rows[-1]["note"] == "'+SUM(1)"
    assert json.loads(export_log(tracker.log(), "json"))[-1]["to_state"] == "claimed_fixed"
