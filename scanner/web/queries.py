"""What the dashboard pages show, read from the store; every function takes the caller's agency scope.

``scope`` is the one agency a user may see, or None for all: it is applied inside each query, so a
page, a download or an export cannot widen it.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from scanner.followup import tables as t
from scanner.followup.states import ACTIVE, State
from scanner.history.store import scans

SEVERITIES = ("critical", "high", "medium", "low", "info")
_ACTIVE = [s.value for s in ACTIVE]


@dataclass
class Fleet:
    by_severity: dict[str, int]
    by_agency: dict[str, dict[str, int]]
    overdue: int
    regressions: int
    targets: int
    not_observed: list[dict[str, str]]


@dataclass
class Week:
    start: str
    open: int = 0
    new: int = 0
    fixed: int = 0
    regressions: int = 0
    fix_days: list[float] = field(default_factory=list)

    @property
    def median_days_to_fix(self) -> float | None:
        return round(statistics.median(self.fix_days), 1) if self.fix_days else None


def _scoped(query: Any, column: Any, scope: str | None) -> Any:
    return query if scope is None else query.where(column == scope)


def fleet(engine: Engine, scope: str | None, today: date) -> Fleet:
    """Open findings by severity and agency, overdue, regressions, targets the last scan could not observe."""
    f = t.followup.c
    counts = _scoped(select(f.agency, f.severity, func.count()).where(f.state.in_(_ACTIVE))
                     .group_by(f.agency, f.severity), f.agency, scope)
    overdue = _scoped(select(func.count()).where(f.state.in_(_ACTIVE), f.due != "", f.due < today.isoformat()),
                      f.agency, scope)
    regressions = _scoped(select(func.count()).where(f.state.in_(_ACTIVE), f.regression.is_(True)), f.agency, scope)
    tg = t.targets.c
    n_targets = _scoped(select(func.count()).select_from(t.targets), tg.agency, scope)
    blind = _scoped(select(tg.target_id, tg.agency, tg.last_attempt, tg.last_observed)
                    .where(tg.last_observed != tg.last_attempt).order_by(tg.agency, tg.target_id), tg.agency, scope)
    with engine.connect() as conn:
        by_agency: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(SEVERITIES, 0))
        by_severity = dict.fromkeys(SEVERITIES, 0)
        for agency, severity, n in conn.execute(counts):
            by_agency[agency][severity] = by_agency[agency].get(severity, 0) + n
            by_severity[severity] = by_severity.get(severity, 0) + n
        return Fleet(by_severity, dict(sorted(by_agency.items())), int(conn.execute(overdue).scalar_one()),
                     int(conn.execute(regressions).scalar_one()), int(conn.execute(n_targets).scalar_one()),
                     [dict(r._mapping) for r in conn.execute(blind)])


def trend(engine: Engine, scope: str | None, weeks: int = 12, today: date | None = None) -> list[Week]:
    """Per ISO week (Monday first), the last ``weeks`` weeks: open at the week's end, new, verified fixed,
    regressions, and the median days from (re)opening to a verified fix; replayed from the audit log."""
    query = select(t.log.c.fingerprint, t.log.c.at, t.log.c.from_state, t.log.c.to_state).order_by(t.log.c.at,
                                                                                                   t.log.c.id)
    if scope is not None:
        query = query.where(t.log.c.fingerprint.in_(select(t.followup.c.fingerprint)
                                                    .where(t.followup.c.agency == scope)))
    with engine.connect() as conn:
        entries = conn.execute(query).all()
    end = today or (datetime.fromisoformat(entries[-1][1]).date() if entries else date.today())
    first = end - timedelta(days=end.weekday()) - timedelta(weeks=weeks - 1)
    result = [Week((first + timedelta(weeks=i)).isoformat()) for i in range(weeks)]
    states: dict[str, str] = {}
    opened: dict[str, datetime] = {}
    position = 0
    for week in result:
        boundary = (date.fromisoformat(week.start) + timedelta(days=7)).isoformat()
        while position < len(entries) and entries[position][1] < boundary:
            fp, at, old, new = entries[position]
            position += 1
            when = datetime.fromisoformat(at)
            current = at >= week.start
            if new == State.OPEN and old in ("", State.VERIFIED_FIXED, State.RISK_ACCEPTED, State.FALSE_POSITIVE):
                opened[fp] = when
            if current and old == "":
                week.new += 1
            if current and new == State.VERIFIED_FIXED:
                week.fixed += 1
                if fp in opened:
                    week.fix_days.append((when - opened[fp]).total_seconds() / 86400)
            if current and old == State.VERIFIED_FIXED and new == State.OPEN:
                week.regressions += 1
            states[fp] = new
        week.open = sum(1 for s in states.values() if s in _ACTIVE)
    return result


def agencies(engine: Engine, scope: str | None) -> list[str]:
    query = _scoped(select(t.targets.c.agency).distinct().order_by(t.targets.c.agency), t.targets.c.agency, scope)
    with engine.connect() as conn:
        return [str(a) for a in conn.execute(query).scalars()]


def targets(engine: Engine, scope: str | None, agency: str | None = None) -> list[dict[str, Any]]:
    """Targets with their agency, last attempt and last observation, and open findings by severity."""
    tg, f = t.targets.c, t.followup.c
    query = _scoped(select(t.targets).order_by(tg.agency, tg.target_id), tg.agency, scope)
    if agency is not None:
        query = query.where(tg.agency == agency)
    counts = _scoped(select(f.target_id, f.severity, func.count()).where(f.state.in_(_ACTIVE))
                     .group_by(f.target_id, f.severity), f.agency, scope)
    with engine.connect() as conn:
        open_: dict[str, Counter[str]] = defaultdict(Counter)
        for target_id, severity, n in conn.execute(counts):
            open_[target_id][severity] += n
        return [dict(r._mapping) | {"open": dict(open_[r.target_id]), "total": sum(open_[r.target_id].values())}
                for r in conn.execute(query)]


def target(engine: Engine, scope: str | None, target_id: str) -> dict[str, Any] | None:
    rows = [r for r in targets(engine, scope) if r["target_id"] == target_id]
    return rows[0] if rows else None


def target_history(engine: Engine, target_id: str, limit: int = 26) -> list[dict[str, Any]]:
    """The latest scans that declared the target: when, which probes observed it or not and why."""
    from scanner.history.store import facts_table as fa

    query = (select(fa.c.scan_id, scans.c.started_at, fa.c.probe, fa.c.status, fa.c.reason)
             .join(scans, scans.c.scan_id == fa.c.scan_id).where(fa.c.target_id == target_id)
             .order_by(scans.c.started_at.desc(), fa.c.probe))
    history: dict[str, dict[str, Any]] = {}
    with engine.connect() as conn:
        for scan_id, started, probe, status, reason in conn.execute(query):
            if scan_id not in history and len(history) >= limit:
                break
            entry = history.setdefault(scan_id, {"scan_id": scan_id, "started_at": started, "probes": []})
            entry["probes"].append({"probe": probe, "status": status, "reason": reason})
    return list(history.values())


def scan_visible(engine: Engine, scope: str | None, scan_id: str) -> bool:
    """Whether the scan exists (exact id) and, for a scoped user, declared one of its agency's targets."""
    from scanner.followup.tracker import agency_of

    with engine.connect() as conn:
        declared = conn.execute(select(scans.c.targets).where(scans.c.scan_id == scan_id)).scalar_one_or_none()
    return declared is not None and (scope is None or any(agency_of(x) == scope for x in declared))


def scan_list(engine: Engine, scope: str | None, limit: int = 60) -> list[dict[str, Any]]:
    """Recent scans; for a scoped user only those that declared one of its agency's targets."""
    from scanner.followup.tracker import agency_of

    query = select(scans.c.scan_id, scans.c.started_at, scans.c.finished_at, scans.c.status, scans.c.profile,
                   scans.c.targets).order_by(scans.c.started_at.desc())
    rows: list[dict[str, Any]] = []
    with engine.connect() as conn:
        for r in conn.execute(query.limit(limit * 4 if scope else limit)):
            agencies_ = sorted({agency_of(x) for x in r.targets} - {""})
            mine = [x for x in r.targets if scope is None or agency_of(x) == scope]
            if not mine:
                continue
            profile = r.profile if isinstance(r.profile, dict) else {}
            rows.append({"scan_id": r.scan_id, "started_at": r.started_at, "finished_at": r.finished_at,
                         "status": r.status, "profile": str(profile.get("name", "")), "targets": len(mine),
                         "agencies": [a for a in agencies_ if scope is None or a == scope]})
            if len(rows) >= limit:
                break
    return rows


def deliveries(engine: Engine, scope: str | None, limit: int = 200) -> list[dict[str, Any]]:
    """The notification outbox, newest first; a scoped user sees only messages to its own agency."""
    from scanner.service.outbox import outbox_table as o

    query = _scoped(select(o.c.created_at, o.c.profile, o.c.channel, o.c.audience, o.c.subject, o.c.status,
                           o.c.attempts, o.c.last_error, o.c.updated_at)
                    .order_by(o.c.created_at.desc(), o.c.key).limit(limit), o.c.audience, scope)
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]
