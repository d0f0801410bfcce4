"""``pindai findings``: follow-up (tindak lanjut) of findings across scans, without a server."""

from __future__ import annotations

import getpass
import json
from typing import TYPE_CHECKING, Any

import click

from scanner.commands.common import fail, open_store

if TYPE_CHECKING:
    from scanner.followup.tracker import Tracker

STORE = click.option("--store", "store_url", default=None,
                     help="History store URL (default: $PINDAI_STORE or the user store).")
BY = click.option("--by", "actor", default=None, help="Who acts (default: the login name). / Pelaksana.")
NOTE = click.option("--note", default="", help="Note for the audit log. / Catatan untuk log audit.")


def _tracker(store_url: str | None) -> Tracker:
    from scanner.followup.tracker import Tracker
    from scanner.history.store import StoreError

    tracker = Tracker(open_store(store_url))
    try:
        tracker.sync()
    except StoreError as exc:
        fail(str(exc))
    return tracker


@click.group()
def findings() -> None:
    """Follow-up of findings across scans: states, due dates, audit log.

    Tindak lanjut temuan antarpemindaian: status, tenggat, dan log audit.
    """


@findings.command("list")
@STORE
@click.option("--agency", default=None, help="Only this agency (perangkat daerah).")
@click.option("--severity", default="", help="Only this severity.")
@click.option("--rule", default="", help="Only this rule id.")
@click.option("--state", default="", help="Only this state (open, acknowledged, claimed_fixed, ...).")
@click.option("--target", default="", help="Only this target id.")
@click.option("--overdue", is_flag=True, help="Only findings past their due date.")
@click.option("--new-since", default="", help="Only findings first seen on or after this date (YYYY-MM-DD).")
@click.option("--all", "show_all", is_flag=True, help="Also closed ones (fixed, accepted, false positive).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def list_(store_url: str | None, agency: str | None, severity: str, rule: str, state: str, target: str,
          overdue: bool, new_since: str, show_all: bool, fmt: str) -> None:
    """List findings and their follow-up state. / Daftar temuan dan status tindak lanjutnya."""
    from scanner.followup.tracker import Filters

    items = _tracker(store_url).items(Filters(agency=agency, severity=severity, rule=rule, state=state,
                                              target=target, overdue=overdue, new_since=new_since,
                                              active_only=not (show_all or state)))
    if fmt == "json":
        click.echo(json.dumps([i.to_dict() for i in items], indent=2, ensure_ascii=False))
        return
    from scanner.report.escape import terminal_text

    for i in items:
        flags = (" OVERDUE/LEWAT" if i.is_overdue else "") + (" REGRESSION/REGRESI" if i.regression else "")
        click.echo(terminal_text(f"{i.fingerprint[:12]}  {i.severity:<8} {i.state:<15} due={i.due or '-':<10} "
                                 f"{i.rule_id:<14} {i.agency or '-'}  {i.target_id}{flags}"))
    if not items:
        click.echo("no findings match / tidak ada temuan yang cocok")


@findings.command()
@STORE
@click.argument("fingerprint")
def show(store_url: str | None, fingerprint: str) -> None:
    """One finding's follow-up record and its log. / Satu temuan beserta lognya."""
    tracker = _tracker(store_url)
    item = _found(tracker, fingerprint)
    record: dict[str, Any] = item.to_dict() | {"log": [e.to_dict() for e in tracker.log(item.fingerprint)]}
    click.echo(json.dumps(record, indent=2, ensure_ascii=False))


def _found(tracker: Tracker, fingerprint: str) -> Any:
    from scanner.followup.tracker import FollowUpError

    try:
        item = tracker.item(fingerprint)
    except FollowUpError as exc:
        fail(str(exc))
    if item is None:
        fail(f"no finding {fingerprint!r} in the follow-up of {tracker.store.display_url} / temuan tidak ditemukan")
    return item


def _act(store_url: str | None, fingerprint: str, action: str, actor: str | None, note: str, **details: str) -> None:
    from scanner.followup.tracker import FollowUpError

    tracker = _tracker(store_url)
    try:
        item = tracker.act(fingerprint, action, actor or getpass.getuser(), note=note, **details)
    except FollowUpError as exc:
        fail(str(exc))
    click.echo(f"{item.fingerprint[:12]}  {item.state}")


@findings.command()
@STORE
@BY
@NOTE
@click.argument("fingerprint")
@click.option("--assignee", default="", help="Who fixes it. / Penanggung jawab.")
@click.option("--target-date", default="", help="Planned fix date (YYYY-MM-DD). / Target tanggal perbaikan.")
def ack(store_url: str | None, actor: str | None, note: str, fingerprint: str, assignee: str,
        target_date: str) -> None:
    """Acknowledge: someone will fix it. / Diterima untuk ditindaklanjuti."""
    _act(store_url, fingerprint, "ack", actor, note, assignee=assignee, target_date=target_date)


@findings.command()
@STORE
@BY
@NOTE
@click.argument("fingerprint")
def fixed(store_url: str | None, actor: str | None, note: str, fingerprint: str) -> None:
    """Claim it fixed; the next scan that observes the target verifies it. / Nyatakan sudah diperbaiki."""
    _act(store_url, fingerprint, "fixed", actor, note)


@findings.command()
@STORE
@BY
@NOTE
@click.argument("fingerprint")
@click.option("--approver", required=True, help="Who accepts the risk. / Pejabat yang menerima risiko.")
@click.option("--reason", required=True, help="Why. / Alasan.")
@click.option("--expires", required=True, help="Until when (YYYY-MM-DD); reopened then. / Berlaku sampai.")
def accept(store_url: str | None, actor: str | None, note: str, fingerprint: str, approver: str, reason: str,
           expires: str) -> None:
    """Accept the risk until a date. / Terima risiko sampai tanggal tertentu."""
    _act(store_url, fingerprint, "accept", actor, note, approver=approver, reason=reason, expires=expires)


@findings.command("false-positive")
@STORE
@BY
@NOTE
@click.argument("fingerprint")
@click.option("--reason", required=True, help="Why it is not a real problem. / Alasan.")
def false_positive(store_url: str | None, actor: str | None, note: str, fingerprint: str, reason: str) -> None:
    """Mark as a false positive. / Tandai sebagai positif palsu."""
    _act(store_url, fingerprint, "false-positive", actor, note, reason=reason)


@findings.command()
@STORE
@BY
@NOTE
@click.argument("fingerprint")
def reopen(store_url: str | None, actor: str | None, note: str, fingerprint: str) -> None:
    """Reopen a claimed fix, an accepted risk or a false positive. / Buka kembali."""
    _act(store_url, fingerprint, "reopen", actor, note)


@findings.command()
@STORE
@click.argument("fingerprint", required=False)
@click.option("--agency", default=None, help="Only this agency's findings.")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
def log(store_url: str | None, fingerprint: str | None, agency: str | None, fmt: str) -> None:
    """Export the append-only audit log. / Ekspor log audit (hanya-tambah)."""
    from scanner.followup.tracker import export_log

    tracker = _tracker(store_url)
    full = _found(tracker, fingerprint).fingerprint if fingerprint else None
    click.echo(export_log(tracker.log(full, agency), fmt), nl=False)
