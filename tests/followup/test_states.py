"""Service levels: defaults, a profile's [sla], due dates and overdue."""

from __future__ import annotations

from datetime import date

import pytest

from scanner.followup.states import DEFAULT_SLA, due_date, overdue, sla_of
from scanner.profile import ProfileError, load_profile

SCOPE = '[scope]\nallow = ["a.contoh.go.id"]\n'
TARGET = '[[targets]]\ntarget = "https://a.contoh.go.id/"\n'


def test_profile_sla_reaches_the_scan_summary_and_overrides_defaults(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text(SCOPE + '[sla]\ncritical = 3\n' + TARGET, encoding="utf-8")
    sla = sla_of(load_profile(path).summary())
    assert sla == DEFAULT_SLA | {"critical": 3}
    assert due_date("2026-11-01T23:30:00+00:00", "critical", sla) == "2026-11-04"
    assert due_date("2026-11-01T00:00:00+00:00", "info", sla) == ""
    assert overdue("acknowledged", "2026-11-04", date(2026, 11, 5))
    assert not overdue("risk_accepted", "2026-11-04", date(2026, 11, 5))
    assert sla_of({}) == DEFAULT_SLA == {"critical": 7, "high": 30, "medium": 90, "low": 180}


@pytest.mark.parametrize("body", ["critical = 0", 'high = "soon"', "urgent = 1"])
def test_bad_sla_is_a_profile_error(tmp_path, body):
    path = tmp_path / "p.toml"
    path.write_text(f"{SCOPE}[sla]\n{body}\n{TARGET}", encoding="utf-8")
    with pytest.raises(ProfileError, match="sla"):
        load_profile(path)
