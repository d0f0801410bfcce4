"""History store: scans, facts and findings in SQLite (default) or PostgreSQL (by URL).

Facts are written one observation per transaction as probes finish, so an interrupted
scan keeps what finished and ``pindai scan --resume`` completes it without duplicates.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    cast,
    create_engine,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from scanner.errors import PindaiError
from scanner.history import schema
from scanner.model import COVERAGE_KEY, Facts, ScanResult
from scanner.pii import scrub
from scanner.urlsecrets import redact, redact_url, url_password

RUNNING, COMPLETE, INTERRUPTED = "running", "complete", "interrupted"
INCOMPLETE = "incomplete"  # finished, but not every observation reached the store (spooled): exit 3, resumable
FAILED = "failed"  # an internal error stopped the scan; the observations made are stored, resumable

metadata = MetaData()

scans = Table(
    "pindai_scans", metadata,
    Column("scan_id", String(32), primary_key=True),
    Column("started_at", String(40), nullable=False),
    Column("finished_at", String(40), nullable=False, default=""),
    Column("status", String(16), nullable=False),
    Column("tool_version", String(32), nullable=False),
    Column("rulepack_version", String(64), nullable=False),
    Column("profile", JSON, nullable=False),
    Column("targets", JSON, nullable=False),
    Column("evaluated_rules", JSON, nullable=False, default=list),
    Column("evaluation_errors", JSON, nullable=False, default=list),
    # rule id -> targets where the rule applied (ScanResult.applicable); NULL for scans stored before
    # revision 0004 recorded it (scanner.running.scan.with_applicability works it out from their facts)
    Column("applicable", JSON(none_as_null=True), nullable=True),
)

facts_table = Table(
    "pindai_facts", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("scan_id", String(32), ForeignKey("pindai_scans.scan_id", ondelete="CASCADE"), nullable=False, index=True),
    Column("target_id", Text, nullable=False),
    Column("probe", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("reason", Text, nullable=False),
    Column("started_at", String(40), nullable=False),
    Column("duration_s", Float, nullable=False),
    Column("data", JSON, nullable=False),
    UniqueConstraint("scan_id", "target_id", "probe", name="uq_pindai_facts_observation"),
)

findings_table = Table(
    "pindai_findings", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("scan_id", String(32), ForeignKey("pindai_scans.scan_id", ondelete="CASCADE"), nullable=False, index=True),
    Column("fingerprint", String(32), nullable=False, index=True),
    Column("rule_id", String(32), nullable=False),
    Column("target_id", Text, nullable=False),
    Column("severity", String(16), nullable=False),
    Column("priority", Float, nullable=False),
    Column("status", String(16), nullable=False),
    Column("data", JSON, nullable=False),
    UniqueConstraint("scan_id", "fingerprint", name="uq_pindai_findings_fingerprint"),
)


class StoreError(PindaiError):
    """The history store cannot be opened or written; the message says why."""


def default_store_url() -> str:
    """``$PINDAI_STORE`` or a SQLite file in the user's data directory."""
    if os.environ.get("PINDAI_STORE"):
        return os.environ["PINDAI_STORE"]
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "pindai"
    return f"sqlite:///{base / 'history.db'}"


@dataclass(frozen=True)
class ScanSummary:
    scan_id: str
    started_at: str
    finished_at: str
    status: str
    targets: int
    findings: int
    target_ids: tuple[str, ...] = ()
    profile: str = ""
    assessed: str = ""  # "full", "partial" or "none" (scanner.report.summary.assessment); "" while running

    @property
    def shown_status(self) -> str:
        """What ``pindai history`` prints: a complete scan that did not observe everything says so."""
        if self.status == COMPLETE and self.assessed in ("partial", "none"):
            return "partial" if self.assessed == "partial" else "not_assessed"
        return self.status


def _create_private_file(path: Path) -> None:
    """Create a SQLite store file readable by its owner only (0600), in new directories made 0700.

    The store holds masked evidence and target names, still nobody else's business; SQLite gives
    its journal and WAL files the database file's permissions. Existing files and directories are
    left as they are."""
    if str(path) in ("", ":memory:"):
        return
    missing = [p for p in [path.parent, *path.parent.parents] if not p.exists()]
    for directory in reversed(missing):
        directory.mkdir(mode=0o700, exist_ok=True)
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


CONNECT_TIMEOUT_S = 10  # PostgreSQL: a server that accepts and never answers must not stall the scan


def _connect_args(url: str) -> dict[str, Any]:
    """Driver options: a connect timeout for PostgreSQL unless the URL sets one."""
    if url.startswith("postgresql") and "connect_timeout=" not in url:
        return {"connect_timeout": CONNECT_TIMEOUT_S}
    return {}


def _identity(path: Path) -> tuple[int, int] | None:
    """(device, inode) of ``path``, None when it is gone."""
    try:
        found = path.stat()
    except OSError:
        return None
    return found.st_dev, found.st_ino


class Store:
    """Scans, facts and findings, persisted through SQLAlchemy."""

    def __init__(self, url: str | None = None) -> None:
        self.url = url or default_store_url()
        self._file: Path | None = None
        if self.url.startswith("sqlite:///"):
            path = Path(self.url.removeprefix("sqlite:///").split("?", 1)[0]).expanduser()
            try:
                _create_private_file(path)
            except OSError as exc:
                raise self._error(f"cannot create history store {self.display_url}: {exc}") from exc
            if str(path) not in ("", ":memory:"):
                self._file = path
        try:
            self.engine: Engine = create_engine(self.url, future=True, connect_args=_connect_args(self.url))
            schema.upgrade(self.engine)
        except (SQLAlchemyError, ModuleNotFoundError, schema.NewerSchemaError, ValueError) as exc:  # or a bad URL
            raise self._error(f"cannot open history store {self.display_url}: {exc}") from exc
        self._file_identity = _identity(self._file) if self._file else None

    @property
    def display_url(self) -> str:
        """The store URL for messages and logs (password hidden)."""
        return redact_url(self.url)

    def _error(self, message: str) -> StoreError:
        """A StoreError whose text never holds the store's password (drivers echo URLs)."""
        return StoreError(redact(message, url_password(self.url)))

    def _check_file(self) -> None:
        """Refuse to write when the SQLite file was deleted or replaced since it was opened: SQLite
        would write to the unlinked file or create an empty new one, and the history would be lost."""
        if self._file is not None and _identity(self._file) != self._file_identity:
            raise self._error(f"history store file {self._file} was deleted or replaced while Pindai was using it; "
                              "it is not recreated (restore it from a backup)")

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        self._check_file()
        try:
            with self.engine.begin() as conn:
                yield conn
        except SQLAlchemyError as exc:  # the driver's own message, not the statement and its parameters
            cause = getattr(exc, "orig", None) or exc
            raise self._error(f"history store write failed: {type(cause).__name__}: {cause}") from exc

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        try:
            with self.engine.connect() as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise self._error(f"history store read failed: {exc}") from exc

    def begin_scan(self, result: ScanResult) -> None:
        """Record a scan as running, with its targets, before any probe runs."""
        with self._tx() as conn:
            conn.execute(insert(scans).values(
                scan_id=result.scan_id, started_at=result.started_at, finished_at="", status=RUNNING,
                tool_version=result.tool_version, rulepack_version=result.rulepack_version,
                profile=result.profile, targets=[t.to_dict() for t in result.targets],
                evaluated_rules=[], evaluation_errors=[],
            ))

    def add_facts(self, scan_id: str, facts: Facts) -> None:
        """Persist one observation in its own transaction (idempotent per target and probe)."""
        with self._tx() as conn:
            conn.execute(delete(facts_table).where(
                facts_table.c.scan_id == scan_id, facts_table.c.target_id == facts.target_id,
                facts_table.c.probe == facts.probe))
            conn.execute(insert(facts_table).values(
                scan_id=scan_id, target_id=facts.target_id, probe=facts.probe, status=facts.status,
                reason=facts.reason, started_at=facts.started_at, duration_s=facts.duration_s,
                data=scrub(facts.data),
            ))

    def finish_scan(self, result: ScanResult, status: str = COMPLETE) -> None:
        """Replace the scan's findings (and where each rule applied) with ``result``'s and mark it complete
        or interrupted."""
        with self._tx() as conn:
            conn.execute(update(scans).where(scans.c.scan_id == result.scan_id).values(
                finished_at=result.finished_at, status=status, rulepack_version=result.rulepack_version,
                evaluated_rules=result.evaluated_rules,
                evaluation_errors=[e.to_dict() for e in result.evaluation_errors],
                applicable=result.applicable,
            ))
            conn.execute(delete(findings_table).where(findings_table.c.scan_id == result.scan_id))
            rows = [{
                "scan_id": result.scan_id, "fingerprint": f.fingerprint, "rule_id": f.rule_id,
                "target_id": f.target_id, "severity": f.severity.value, "priority": f.priority,
                "status": f.status, "data": f.to_dict(),
            } for f in result.findings]
            if rows:
                conn.execute(insert(findings_table), rows)

    def save(self, result: ScanResult) -> None:
        """Store a finished result in one go (used by ``pindai report --store`` and imports)."""
        self.begin_scan(result)
        for observation in result.facts:
            self.add_facts(result.scan_id, observation)
        self.finish_scan(result)

    def load(self, scan_id: str) -> ScanResult:
        """Load a stored scan (a unique prefix of the id is enough)."""
        with self._read() as conn:
            rows = conn.execute(select(scans).where(scans.c.scan_id.startswith(scan_id))).mappings().all()
            if not rows:
                raise StoreError(f"no scan {scan_id!r} in {self.display_url}")
            if len(rows) > 1:
                raise StoreError(f"scan id {scan_id!r} is ambiguous in {self.display_url}")
            row = rows[0]
            facts = conn.execute(select(facts_table).where(facts_table.c.scan_id == row["scan_id"])
                                 .order_by(facts_table.c.id)).mappings().all()
            found = conn.execute(select(findings_table.c.data).where(findings_table.c.scan_id == row["scan_id"])
                                 .order_by(findings_table.c.priority.desc(), findings_table.c.id)).scalars().all()
        return ScanResult.from_dict({
            "scan_id": row["scan_id"], "started_at": row["started_at"], "finished_at": row["finished_at"],
            "tool_version": row["tool_version"], "rulepack_version": row["rulepack_version"],
            "profile": row["profile"], "targets": row["targets"],
            "facts": [_facts_dict(f) for f in facts], "findings": list(found),
            "evaluation_errors": row["evaluation_errors"], "evaluated_rules": row["evaluated_rules"],
            "applicable": row["applicable"],
        })

    def status(self, scan_id: str) -> str:
        with self._read() as conn:
            value = conn.execute(select(scans.c.status).where(scans.c.scan_id == scan_id)).scalar_one_or_none()
        if value is None:
            raise StoreError(f"no scan {scan_id!r} in {self.display_url}")
        return str(value)

    def history(self, limit: int = 20) -> list[ScanSummary]:
        """Most recent scans first."""
        open_counts = (select(findings_table.c.scan_id, func.count().label("open"))
                       .where(findings_table.c.status == "open").group_by(findings_table.c.scan_id).subquery())
        query = (select(scans, func.coalesce(open_counts.c.open, 0).label("open"))
                 .outerjoin(open_counts, open_counts.c.scan_id == scans.c.scan_id)
                 .order_by(scans.c.started_at.desc()).limit(limit))
        with self._read() as conn:
            rows = conn.execute(query).mappings().all()
            observed = self._observed_targets(conn, [r["scan_id"] for r in rows])
        return [ScanSummary(r["scan_id"], r["started_at"], r["finished_at"], r["status"], len(r["targets"]),
                            int(r["open"]), tuple(str(t.get("id", "")) for t in r["targets"]),
                            str((r["profile"] or {}).get("name", "")) if isinstance(r["profile"], dict) else "",
                            _assessed(r, observed.get(r["scan_id"], ({}, set()))))
                for r in rows]

    @staticmethod
    def _observed_targets(conn: Any, scan_ids: list[str]) -> dict[str, tuple[dict[str, tuple[bool, bool]], set[str]]]:
        """Per scan: target id -> (every observation of it conclusive, any conclusive), and the targets
        with a coverage limit (a partial observation)."""
        found: dict[str, tuple[dict[str, tuple[bool, bool]], set[str]]] = {}
        if not scan_ids:
            return found
        capped = cast(facts_table.c.data, Text).like(f'%"{COVERAGE_KEY}"%')  # never loads the facts themselves
        query = (select(facts_table.c.scan_id, facts_table.c.target_id, facts_table.c.status, capped)
                 .where(facts_table.c.scan_id.in_(scan_ids)))
        for scan_id, target_id, status, cut in conn.execute(query):
            targets, limited = found.setdefault(str(scan_id), ({}, set()))
            every, some = targets.get(target_id, (True, False))
            targets[target_id] = (every and status == "ok", some or status == "ok")
            if cut:
                limited.add(target_id)
        return found

    def latest_unfinished(self) -> str | None:
        """The most recent scan that did not complete, if any."""
        with self._read() as conn:
            value = conn.execute(select(scans.c.scan_id).where(scans.c.status != COMPLETE)
                                 .order_by(scans.c.started_at.desc()).limit(1)).scalar_one_or_none()
        return str(value) if value else None

    def left_running(self, runner: str) -> list[tuple[str, dict[str, Any]]]:
        """(scan id, profile) of every scan still ``running`` (or ``incomplete``: observations spooled) whose
        profile names ``runner`` (e.g. the daemon), oldest first."""
        with self._read() as conn:
            rows = conn.execute(select(scans.c.scan_id, scans.c.profile)
                                .where(scans.c.status.in_([RUNNING, INCOMPLETE]))
                                .order_by(scans.c.started_at)).all()
        return [(str(scan_id), profile) for scan_id, profile in rows
                if isinstance(profile, dict) and profile.get("runner") == runner]

    def last_complete(self, profile_path: str) -> str | None:
        """Start time (ISO text) of the latest complete scan of the profile at ``profile_path``."""
        with self._read() as conn:
            rows = conn.execute(select(scans.c.started_at, scans.c.profile).where(scans.c.status == COMPLETE)
                                .order_by(scans.c.started_at.desc())).all()
        return next((str(started) for started, profile in rows
                     if isinstance(profile, dict) and profile.get("path") == profile_path), None)

    def latest_facts(self, target_id: str, probe: str) -> dict[str, Any] | None:
        """``{"scan_id", "data"}`` of the newest complete, successful observation of ``target_id`` by ``probe``."""
        query = (select(facts_table.c.scan_id, facts_table.c.data)
                 .join(scans, scans.c.scan_id == facts_table.c.scan_id)
                 .where(scans.c.status == COMPLETE, facts_table.c.target_id == target_id,
                        facts_table.c.probe == probe, facts_table.c.status == "ok")
                 .order_by(scans.c.started_at.desc()).limit(1))
        with self._read() as conn:
            row = conn.execute(query).first()
        return {"scan_id": str(row[0]), "data": row[1]} if row else None

    def previous(self, result: ScanResult) -> ScanResult | None:
        """Each (target, probe) of ``result`` as last observed conclusively by a complete earlier scan,
        as one result (see :func:`scanner.history.diff.earlier_observations`; for trends and notifications)."""
        from scanner.history.diff import earlier_observations

        attempted = {(f.target_id, f.probe) for f in result.facts}
        ids = sorted({target_id for target_id, _ in attempted})
        if not ids:
            return None
        query = (select(facts_table.c.scan_id, facts_table.c.target_id, facts_table.c.probe)
                 .join(scans, scans.c.scan_id == facts_table.c.scan_id)
                 .where(scans.c.status == COMPLETE, scans.c.scan_id != result.scan_id,
                        scans.c.started_at <= result.started_at, facts_table.c.status == "ok",
                        facts_table.c.target_id.in_(ids))
                 .order_by(scans.c.started_at.desc(), facts_table.c.id.desc()))
        chosen: dict[tuple[str, str], str] = {}
        with self._read() as conn:
            for scan_id, target_id, probe in conn.execute(query):
                if (target_id, probe) in attempted:
                    chosen.setdefault((target_id, probe), str(scan_id))
        return earlier_observations({sid: self.load(sid) for sid in set(chosen.values())}, chosen)


def _assessed(row: Any, observed: tuple[dict[str, tuple[bool, bool]], set[str]]) -> str:
    """``full``, ``partial`` or ``none`` for a stored scan row (see scanner.report.summary.assessment)."""
    if row["status"] != COMPLETE:
        return ""
    conclusive, limited = observed
    ids = [str(t.get("id", "")) for t in row["targets"]]
    if not any(some for _every, some in conclusive.values()):
        return "none"
    whole = (all(conclusive.get(i, (False, False))[0] for i in ids) and not limited
             and not row["evaluation_errors"])
    return "full" if whole else "partial"


def _facts_dict(row: Any) -> dict[str, Any]:
    return {k: row[k] for k in ("probe", "target_id", "status", "reason", "started_at", "duration_s")} | {
        "data": row["data"] if isinstance(row["data"], dict) else json.loads(row["data"])}

