"""The dashboard's numbers from a real store: trend replayed from the log, fleet counts, scope."""

from __future__ import annotations

from datetime import date

from scanner.followup.tracker import Tracker
from scanner.web import queries


def test_weekly_trend_and_fleet(fleet_store):
    Tracker(fleet_store).sync()
    weeks = {w.start: w for w in queries.trend(fleet_store.engine, None, 3, date(2026, 11, 10))}
    assert list(weeks) == ["2026-10-26", "2026-11-02", "2026-11-09"]
    first, second = weeks["2026-11-02"], weeks["2026-11-09"]
    assert (first.new, first.fixed, first.open) == (4, 0, 4)
    assert (second.new, second.fixed, second.open, second.median_days_to_fix) == (0, 1, 3, 7.0)
    fleet = queries.fleet(fleet_store.engine, None, date(2026, 11, 10))
    assert fleet.by_severity["critical"] == 1 and fleet.targets == 3
    assert [t["target_id"] for t in fleet.not_observed] == ["https://sikda.dinkes.contoh.go.id/"]
    scoped = queries.fleet(fleet_store.engine, "BKPSDM", date(2026, 11, 10))
    assert list(scoped.by_agency) == ["BKPSDM"] and scoped.not_observed == [] and scoped.targets == 1
    assert queries.trend(fleet_store.engine, "Diskominfo", 2, date(2026, 11, 10))[-1].fixed == 1
    assert queries.trend(fleet_store.engine, "BKPSDM", 2, date(2026, 11, 10))[-1].fixed == 0
