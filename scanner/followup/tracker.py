"""Follow-up across scans: sync findings' states from the store's complete scans, people's actions, the log.

A finding is its fingerprint. A complete scan that reports it opens a follow-up item (due by the
profile's SLA), or reopens a verified fix as a *regression*. A complete scan that observed the item's
target with the item's probe (status ok), evaluated its rule there without error and no longer reports
it *verifies the fix*; a scan that did not observe the target proves nothing and changes nothing. Risk acceptances
reopen at their expiry. Every change is appended to the audit log with who, when, from, to and a note;
"when" is the scan's start for what a scan saw, the moment of the action for what a person did.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import and_, bindparam, insert, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from scanner.followup import tables as t
from scanner.followup.states import ACTIONS, ACTIVE, State, due_date, overdue, sla_of
from scanner.history.store import COMPLETE, Store, StoreError, facts_table, findings_table, scans
from scanner.pii.scrubbing import scrub_text

SYSTEM = "pindai"
"""The actor of changes a scan makes."""


class FollowUpError(Exception):
    """An action that is not allowed (unknown finding, wrong state, missing field); the message says why."""


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Item:
    """One finding's follow-up record."""

    fingerprint: str
    rule_id: str
    target_id: str
    agency: str
    severity: str
    probe: str
    title: dict[str, str]
    state: str
    regression: bool
    first_seen: str
    last_seen: str
    last_scan: str
    opened_at: str
    due: str
    fixed_at: str
    assignee: str
    target_date: str
    approver: str
    reason: str
    expires: str
    updated_at: str
    is_overdue: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class LogEntry:
    id: int
    fingerprint: str
    at: str
    actor: str
    from_state: str
    to_state: str
    note: str

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class Filters:
    """What a list shows; ``agency`` set by the caller's scope is never widened by the others."""

    agency: str | None = None
    severity: str = ""
    rule: str = ""
    state: str = ""
    target: str = ""
    overdue: bool = False
    new_since: str = ""
    active_only: bool = False


def agency_of(target: dict[str, Any]) -> str:
    """A stored target's agency: its own field, else an inventory label ``agency`` / ``perangkat_daerah``."""
    labels = target.get("labels") or {}
    return str(target.get("agency") or labels.get("agency") or labels.get("perangkat_daerah") or "")


class Tracker:
    """Follow-up over one history store."""

    def __init__(self, store: Store, now: Callable[[], datetime] = _now) -> None:
        self.store = store
        self.now = now

    # --- scans -> states -------------------------------------------------------------------------------

    def sync(self) -> int:
        """Apply every complete scan not applied yet (oldest first) and expire risk acceptances; return how many."""
        done = select(t.synced.c.scan_id)
        query = (select(scans.c.scan_id).where(scans.c.status == COMPLETE, scans.c.scan_id.not_in(done))
                 .order_by(scans.c.started_at, scans.c.scan_id))
        with self.store._read() as conn:
            pending = list(conn.execute(query).scalars())
        for scan_id in pending:
            try:
                with self._tx() as conn:
                    self._apply(conn, scan_id)
            except StoreError as exc:
                if not isinstance(exc.__cause__, IntegrityError):
                    raise
                # another process (a second dashboard, a CLI) applied this scan at the same moment
        with self._tx() as conn:
            self._expire(conn)
        return len(pending)

    def _apply(self, conn: Connection, scan_id: str) -> None:
        scan = conn.execute(select(scans).where(scans.c.scan_id == scan_id)).mappings().one()
        at, sla = scan["started_at"], sla_of(scan["profile"])
        agencies = {str(target.get("id", "")): agency_of(target) for target in scan["targets"]}
        reported = conn.execute(select(findings_table).where(findings_table.c.scan_id == scan_id)).mappings().all()
        observed = {(target, probe) for target, probe in conn.execute(select(facts_table.c.target_id,
                    facts_table.c.probe).where(facts_table.c.scan_id == scan_id, facts_table.c.status == "ok"))}
        evaluated = set(scan["evaluated_rules"] or [])
        failed = {(e.get("rule_id"), e.get("target_id")) for e in scan["evaluation_errors"] or []}
        seen = {row["fingerprint"] for row in reported}
        known = {row["fingerprint"]: row for row in conn.execute(select(t.followup).where(or_(
            t.followup.c.fingerprint.in_(seen), t.followup.c.target_id.in_(list(agencies))))).mappings()}
        refresh: list[dict[str, Any]] = []
        for row in reported:
            if row["status"] == "open":
                refresh += self._seen(conn, row, known.get(row["fingerprint"]), scan_id, at, sla,
                                      row["data"].get("agency") or agencies.get(row["target_id"], ""))
        _update_many(conn, t.followup, "fingerprint", refresh)
        for fp, item in known.items():
            if (fp not in seen and item["state"] in ACTIVE and item["last_seen"] <= at
                    and (item["target_id"], item["probe"]) in observed and item["rule_id"] in evaluated
                    and (item["rule_id"], item["target_id"]) not in failed):
                self._set(conn, fp, item["state"], State.VERIFIED_FIXED, SYSTEM,
                          f"not seen any more by scan {scan_id} (probe {item['probe']} observed the target)",
                          at=at, fixed_at=at)
        self._observed(conn, scan, {target for target, _ in observed})
        conn.execute(insert(t.synced).values(scan_id=scan_id, at=self._stamp()))

    def _observed(self, conn: Connection, scan: Any, observed: set[str]) -> None:
        """Record each declared target's agency and whether this scan observed it (newer scans win)."""
        at = scan["started_at"]
        known = {r.target_id: r for r in conn.execute(select(t.targets).where(
            t.targets.c.target_id.in_([str(x.get("id", "")) for x in scan["targets"]])))}
        new: list[dict[str, Any]] = []
        changed: list[dict[str, Any]] = []
        for target in scan["targets"]:
            tid = str(target.get("id", ""))
            row = known.get(tid)
            if row is not None and row.last_attempt > at:
                continue
            values = {"agency": agency_of(target), "name": str(target.get("name", "")),
                      "kind": str(target.get("kind", "")), "last_scan": scan["scan_id"], "last_attempt": at,
                      "last_observed": at if tid in observed else (row.last_observed if row is not None else "")}
            (new if row is None else changed).append({"target_id": tid, **values})
        if new:
            conn.execute(insert(t.targets), new)
        _update_many(conn, t.targets, "target_id", changed)

    def _seen(self, conn: Connection, row: Any, item: Any, scan_id: str, at: str, sla: dict[str, int],
              agency: str) -> list[dict[str, Any]]:
        """Open or reopen the item of a reported finding; return the refresh of its last sighting, if any."""
        fp, data = row["fingerprint"], row["data"]
        common = {"severity": row["severity"], "agency": agency, "title": data.get("title") or {},
                  "last_seen": at, "last_scan": scan_id}
        if item is None:
            conn.execute(insert(t.followup).values(
                fingerprint=fp, rule_id=row["rule_id"], target_id=row["target_id"], probe=data.get("probe", ""),
                state=State.OPEN.value, regression=False, first_seen=at, opened_at=at,
                due=due_date(at, row["severity"], sla), updated_at=self._stamp(), **common))
            self._log(conn, fp, SYSTEM, "", State.OPEN, f"first seen in scan {scan_id}", at)
            return []
        if item["last_seen"] > at:
            return []  # an older scan applied late says nothing about today
        if item["state"] == State.VERIFIED_FIXED:
            self._set(conn, fp, item["state"], State.OPEN, SYSTEM, f"regression: seen again in scan {scan_id}",
                      at=at, regression=True, opened_at=at, due=due_date(at, row["severity"], sla), fixed_at="")
        elif item["state"] == State.CLAIMED_FIXED:
            self._set(conn, fp, item["state"], State.OPEN, SYSTEM, f"claimed fixed, but still seen in scan {scan_id}",
                      at=at)
        return [{"fingerprint": fp, **common}]

    def _expire(self, conn: Connection) -> None:
        today = self.now().date().isoformat()
        expired = conn.execute(select(t.followup.c.fingerprint, t.followup.c.expires).where(
            t.followup.c.state == State.RISK_ACCEPTED, t.followup.c.expires != "",
            t.followup.c.expires < today)).all()
        for fp, expires in expired:
            self._set(conn, fp, State.RISK_ACCEPTED, State.OPEN, SYSTEM, f"risk acceptance expired on {expires}")

    # --- people's actions ------------------------------------------------------------------------------

    def act(self, fingerprint: str, action: str, actor: str, *, note: str = "", agency: str | None = None,
            **details: str) -> Item:
        """Apply ``action`` (see :data:`ACTIONS`) for ``actor``; ``agency`` limits it to that agency's items.

        ``ack`` takes ``assignee`` and ``target_date``; ``accept`` needs ``approver``, ``reason`` and
        ``expires`` (ISO date, in the future); ``false-positive`` needs ``reason``.
        """
        if action not in ACTIONS:
            raise FollowUpError(f"unknown action {action!r}; one of {', '.join(ACTIONS)}")
        target_state, allowed = ACTIONS[action]
        values = self._details(action, details)
        with self._tx() as conn:
            item = self._one(conn, fingerprint, agency)
            if item is None:
                raise FollowUpError(f"no finding {fingerprint!r} / temuan tidak ditemukan")
            if item.state not in allowed:
                raise FollowUpError(f"{action}: finding is {item.state}, allowed from "
                                    f"{', '.join(s.value for s in allowed)} / status tidak mengizinkan tindakan ini")
            self._set(conn, item.fingerprint, item.state, target_state, actor, note, **values)
            updated = self._one(conn, item.fingerprint, agency)
        assert updated is not None
        return updated

    def _details(self, action: str, details: dict[str, str]) -> dict[str, str]:
        clean = {k: scrub_text(v.strip()) for k, v in details.items() if v is not None}
        required = {"accept": ("approver", "reason", "expires"), "false-positive": ("reason",)}.get(action, ())
        missing = [k for k in required if not clean.get(k)]
        if missing:
            raise FollowUpError(f"{action} needs {', '.join(missing)} / wajib diisi: {', '.join(missing)}")
        for key in ("target_date", "expires"):
            if clean.get(key):
                try:
                    date.fromisoformat(clean[key])
                except ValueError:
                    raise FollowUpError(f"{key} must be a date YYYY-MM-DD / format tanggal YYYY-MM-DD") from None
        if action == "accept" and clean["expires"] <= self.now().date().isoformat():
            raise FollowUpError("expires must be in the future / tanggal kedaluwarsa harus di masa depan")
        keep = {"ack": ("assignee", "target_date"), "accept": ("approver", "reason", "expires"),
                "false-positive": ("reason",)}.get(action, ())
        return {k: clean.get(k, "") for k in keep}

    # --- reading ---------------------------------------------------------------------------------------

    def items(self, filters: Filters = Filters()) -> list[Item]:
        """Items matching ``filters``, most severe and oldest first."""
        c = t.followup.c
        conditions = []
        if filters.agency is not None:
            conditions.append(c.agency == filters.agency)
        for column, value in ((c.severity, filters.severity), (c.rule_id, filters.rule), (c.state, filters.state),
                              (c.target_id, filters.target)):
            if value:
                conditions.append(column == value)
        if filters.new_since:
            conditions.append(c.first_seen >= filters.new_since)
        if filters.overdue or filters.active_only:
            conditions.append(c.state.in_([s.value for s in ACTIVE]))
        if filters.overdue:
            conditions.append(and_(c.due != "", c.due < self.now().date().isoformat()))
        with self.store._read() as conn:
            rows = conn.execute(select(t.followup).where(*conditions).order_by(c.due, c.fingerprint)).mappings()
            found = [self._item(r) for r in rows]
        rank = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}
        return sorted(found, key=lambda i: (i.state not in ACTIVE, rank.get(i.severity, 5), i.due or "9999"))

    def item(self, fingerprint: str, agency: str | None = None) -> Item | None:
        """One item by fingerprint (a unique prefix is enough), within ``agency`` when given."""
        with self.store._read() as conn:
            return self._one(conn, fingerprint, agency)

    def log(self, fingerprint: str | None = None, agency: str | None = None) -> list[LogEntry]:
        """Audit log entries, oldest first; for one finding and/or one agency's findings."""
        query = select(t.log).order_by(t.log.c.id)
        if fingerprint:
            query = query.where(t.log.c.fingerprint == fingerprint)
        if agency is not None:
            query = query.where(t.log.c.fingerprint.in_(
                select(t.followup.c.fingerprint).where(t.followup.c.agency == agency)))
        with self.store._read() as conn:
            return [LogEntry(**dict(r)) for r in conn.execute(query).mappings()]

    # --- helpers ---------------------------------------------------------------------------------------

    def _one(self, conn: Connection, fingerprint: str, agency: str | None) -> Item | None:
        if not fingerprint:
            return None
        query = select(t.followup).where(t.followup.c.fingerprint.startswith(fingerprint, autoescape=True))
        if agency is not None:
            query = query.where(t.followup.c.agency == agency)
        rows = conn.execute(query.limit(2)).mappings().all()
        if len(rows) > 1:
            raise FollowUpError(f"finding id {fingerprint!r} is ambiguous / id temuan ambigu")
        return self._item(rows[0]) if rows else None

    def _item(self, row: Any) -> Item:
        values = {f.name: row[f.name] for f in fields(Item) if f.name != "is_overdue"}
        return Item(**values, is_overdue=overdue(row["state"], row["due"], self.now().date()))

    def _set(self, conn: Connection, fingerprint: str, old: str, new: State, actor: str, note: str,
             at: str = "", **values: Any) -> None:
        conn.execute(update(t.followup).where(t.followup.c.fingerprint == fingerprint).values(
            state=new.value, updated_at=self._stamp(), **values))
        self._log(conn, fingerprint, actor, old, new, note, at)

    def _log(self, conn: Connection, fingerprint: str, actor: str, old: str, new: State, note: str,
             at: str = "") -> None:
        """Append to the audit log; ``at`` is the scan's time for what a scan saw, else now."""
        conn.execute(insert(t.log).values(fingerprint=fingerprint, at=at or self._stamp(), actor=scrub_text(actor),
                                          from_state=str(old), to_state=new.value, note=scrub_text(note)))

    def _stamp(self) -> str:
        return self.now().isoformat(timespec="seconds")

    def _tx(self) -> Any:
        return self.store._tx()


def _update_many(conn: Connection, table: Any, key: str, rows: list[dict[str, Any]]) -> None:
    """One executemany UPDATE of ``rows`` (dicts of the same columns) matched on ``key``."""
    if not rows:
        return
    columns = [c for c in rows[0] if c != key]
    statement = update(table).where(table.c[key] == bindparam(f"m_{key}")).values(
        {c: bindparam(f"m_{c}") for c in columns})
    conn.execute(statement, [{f"m_{k}": v for k, v in row.items()} for row in rows])


def export_log(entries: Iterable[LogEntry], fmt: str) -> str:
    """The audit log as CSV (spreadsheet-safe cells) or JSON."""
    import csv
    import io
    import json

    rows = [e.to_dict() for e in entries]
    if fmt == "json":
        return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    from scanner.report.csv_report import safe_cell

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([f.name for f in fields(LogEntry)])
    writer.writerows([safe_cell(row[f.name]) for f in fields(LogEntry)] for row in rows)
    return out.getvalue()
