"""``pindai daemon PROFILE...``: scheduled scans with history and notifications."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from scanner.commands.options import RulePaths, rules_options

DAEMON_LOGGERS = ("scanner.service.daemon", "scanner.service.outbox", "scanner.service.runs",
                  "scanner.service.channels")


@click.command()
@click.argument("profiles", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--store", "store_url", default=None, help="History store URL (default: $PINDAI_STORE or "
              "~/.local/share/pindai/history.db).")
@click.option("--once", is_flag=True, help="Run every due or overdue profile once, then exit.")
@rules_options
@click.option("--probe", "probe_names", multiple=True, help="Run only these probes (repeatable).")
@click.option("--distributed", is_flag=True, help="Observe through `pindai worker --zone` workers "
              "($PINDAI_BROKER_URL).")
def daemon(profiles: tuple[Path, ...], store_url: str | None, once: bool, rules_path: RulePaths,
           probe_names: tuple[str, ...], distributed: bool) -> None:
    """Run PROFILES on their [schedule]: store every scan, write its dated report folder ([reports]) and
    deliver ([notify]); undelivered notifications are retried until they expire.

    Jalankan profil sesuai [schedule]: simpan setiap pemindaian, tulis folder laporan bertanggal dan kirimkan.
    SIGTERM stops the daemon after the scan in progress. Exit status with --once: 0 all
    due scans ran, 2 a profile could not be used, 3 a scan failed, its reports could not be written or
    inventory rows were not scanned.
    """
    from scanner.extras import require_extra
    from scanner.history.store import Store, StoreError
    from scanner.judging.regulations import CatalogueError
    from scanner.judging.rules import RuleValidationError
    from scanner.service.daemon import run_daemon

    if distributed:
        require_extra("distributed")
    for name in DAEMON_LOGGERS:  # a service says what it does: next runs, each run, each delivery
        logger = logging.getLogger(name)
        logger.setLevel(min(logger.getEffectiveLevel(), logging.INFO))
    try:
        store = Store(store_url)
    except StoreError as exc:
        click.echo(f"pindai: {exc}", err=True)
        sys.exit(2)
    try:
        outcomes = run_daemon(list(profiles), store, once=once, rules_path=rules_path,
                              probe_names=list(probe_names) or None, distributed=distributed)
    except RuleValidationError as exc:
        for error in exc.errors:
            click.echo(f"error: {error}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo("pindai: interrupted; the scan in progress is stored as interrupted "
                   "(pindai scan --resume) / dihentikan", err=True)
        sys.exit(130)
    except CatalogueError as exc:
        click.echo(f"pindai: regulation catalogue error: {exc}", err=True)
        sys.exit(2)
    code = 0
    for o in outcomes:
        if o.error:
            click.echo(f"{o.profile}: scan {o.scan_id} failed: {o.error}" if o.scan_id else f"skipped: {o.error}",
                       err=True)
            code = max(code, 3 if o.scan_id else 2)
            continue
        sent = "; ".join(f"{d.channel}{' ' + d.audience if d.audience else ''} {d.describe()}"
                         for d in o.deliveries) or "none"
        skipped = f", {o.skipped_rows} inventory row(s) not scanned" if o.skipped_rows else ""
        click.echo(f"{o.profile}: scan {o.scan_id}: {o.observed} target(s) observed, {o.not_observed} not observed"
                   f"{skipped}, {o.open_findings} open, {o.new_findings} new; reports: "
                   f"{o.report_dir or 'NOT WRITTEN: ' + o.report_error}; notifications: {sent}", err=True)
        if o.report_error or o.skipped_rows:
            code = max(code, 3)
    sys.exit(code)


@click.group()
def schedule() -> None:
    """Scheduled profiles / Profil terjadwal."""


@schedule.command("list")
@click.argument("profiles", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--store", "store_url", default=None, help="History store URL (default: $PINDAI_STORE or "
              "~/.local/share/pindai/history.db).")
def list_schedule(profiles: tuple[Path, ...], store_url: str | None) -> None:
    """Print each profile's schedule, last run and next run in its local time, and undelivered notifications.

    Tampilkan jadwal, proses terakhir dan berikutnya (waktu setempat) serta notifikasi yang belum terkirim.
    Exit 2 when a profile cannot be used.
    """
    from datetime import UTC, datetime

    from scanner.history.store import Store, StoreError
    from scanner.service.daemon import load_scheduled
    from scanner.service.outbox import PENDING, UNCERTAIN, Outbox

    try:
        store = Store(store_url)
        outbox = Outbox(store)
    except StoreError as exc:
        click.echo(f"pindai: {exc}", err=True)
        sys.exit(2)
    loaded, errors = load_scheduled(list(profiles), store)
    now = datetime.now(UTC)
    for item in loaded:
        last = item.last_run.astimezone(item.tz).strftime("%Y-%m-%d %H:%M %Z") if item.last_run else "never / belum"
        click.echo(f"{item.path}\n  cron: {item.cron} ({item.tz.key})\n  last run / terakhir: {last}\n"
                   f"  next run / berikutnya: {item.describe_next(now)}")
        for status in (PENDING, UNCERTAIN):
            waiting = outbox.entries(profile=str(item.path), status=status)
            if waiting:
                click.echo(f"  notifications {status}: {len(waiting)} (" + ", ".join(
                    f"{e.channel} {e.audience or 'officer'}: {e.last_error or 'not yet tried'}" for e in waiting[:5])
                    + ")")
    for error in errors:
        click.echo(f"error: {error}", err=True)
    sys.exit(2 if errors else 0)
