"""``pindai findings``: the follow-up without a server (CI users)."""

from __future__ import annotations

import csv
import io
import json

from click.testing import CliRunner

from scanner.cli import main
from scanner.history.store import Store
from tests.followup.test_tracker import DB_SSL, TLS_OLD, scan


def test_list_ack_fixed_log_and_errors(tmp_path):
    url = f"sqlite:///{tmp_path / 'history.db'}"
    store = Store(url)
    store.save(scan("s1", 1, [TLS_OLD, DB_SSL]))
    run = CliRunner().invoke
    listed = run(main, ["findings", "list", "--store", url, "--agency", "BKPSDM", "--format", "json"])
    assert listed.exit_code == 0, listed.output
    assert [i["rule_id"] for i in json.loads(listed.output)] == ["PND-DB-001"]
    short = TLS_OLD.fingerprint[:12]
    acked = run(main, ["findings", "ack", short, "--store", url, "--by", "petugas", "--assignee", "tim-infra",
                       "--target-date", "2026-12-01"])
    assert acked.exit_code == 0 and "acknowledged" in acked.output
    wrong = run(main, ["findings", "ack", short, "--store", url])
    assert wrong.exit_code == 2 and "allowed from open" in wrong.output
    missing = run(main, ["findings", "fixed", "ffffffff", "--store", url])
    assert missing.exit_code == 2 and "no finding" in missing.output
    bad_date = run(main, ["findings", "accept", short, "--store", url, "--approver", "Kadis", "--reason", "r",
                          "--expires", "besok"])
    assert bad_date.exit_code == 2 and "YYYY-MM-DD" in bad_date.output
    shown = json.loads(run(main, ["findings", "show", short, "--store", url]).output)
    assert shown["assignee"] == "tim-infra" and [e["to_state"] for e in shown["log"]] == ["open", "acknowledged"]
    log = run(main, ["findings", "log", "--store", url, "--format", "csv"]).output
    assert [r["actor"] for r in csv.DictReader(io.StringIO(log))] == ["pindai", "pindai", "petugas"]
    table = run(main, ["findings", "list", "--store", url]).output
    assert "acknowledged" in table and "PND-DB-001" in table
