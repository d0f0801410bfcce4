"""``pindai history`` and ``pindai diff``: the scans in the history store, and what changed between two."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

import click

from scanner.commands.common import (
    fail,
    open_store,
    result_ref,
)

if TYPE_CHECKING:  # heavy modules (pydantic, SQLAlchemy, CEL) load inside the commands that need them
    from scanner.history.store import Store


@click.command()
@click.option("--store", "store_url", default=None,
              help="History store URL (default: $PINDAI_STORE or the user store).")
@click.option("--limit", default=20, show_default=True, help="How many recent scans to list.")
@click.option("--profile", "profile_name", metavar="TEXT", help="Only scans whose profile name contains TEXT.")
@click.option("--target", metavar="TEXT", help="Only scans of a target whose id contains TEXT.")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="Only scans started on or after this date (UTC).")
def history(store_url: str | None, limit: int, profile_name: str | None, target: str | None,
            since: dt.datetime | None) -> None:
    """List recent scans in the history store. / Daftar pemindaian terakhir."""
    store = open_store(store_url)
    filtered = bool(profile_name or target or since)
    scans = [s for s in _history(store, _ALL if filtered else limit)
             if (not profile_name or profile_name.lower() in s.profile.lower())
             and (not target or any(target.lower() in t.lower() for t in s.target_ids))
             and (not since or s.started_at[:10] >= since.date().isoformat())][:limit]
    if not scans and filtered:
        click.echo("no scan matches / tidak ada pemindaian yang cocok")
        return
    if not scans:
        click.echo("no scans in the history store yet; run `pindai scan` first / "
                   "belum ada pemindaian di penyimpanan riwayat; jalankan `pindai scan` dahulu")
        return
    for s in scans:
        label = f"profile={s.profile!r}  " if s.profile else ""
        shown = ", ".join(s.target_ids[:3]) + (f" (+{len(s.target_ids) - 3})" if len(s.target_ids) > 3 else "")
        click.echo(f"{s.scan_id}  {s.started_at}  {s.shown_status:<12} open_findings={s.findings:<4} "
                   f"{label}targets={shown}")


_ALL = 1_000_000  # a filter looks at every stored scan


def _history(store: Store, limit: int) -> list[Any]:
    from scanner.history.store import StoreError

    try:
        return store.history(limit)
    except StoreError as exc:
        fail(str(exc))


@click.command()
@click.argument("before")
@click.argument("after")
@click.option("--store", "store_url", default=None, help="History store URL for scan ids.")
@click.option("--lang", type=click.Choice(["id", "en"]), default="id")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--new-only", is_flag=True, help="Show only the new findings. / Hanya temuan baru.")
def diff(before: str, after: str, store_url: str | None, lang: str, fmt: str, new_only: bool) -> None:
    """Compare two scans (JSON result files or stored scan ids): new, fixed, persisting.

    Bandingkan dua pemindaian: temuan baru, sudah diperbaiki, dan masih ada.
    """
    from scanner.history.diff import diff_scans
    from scanner.report.escape import terminal_text

    result = diff_scans(result_ref(before, store_url), result_ref(after, store_url))
    groups = {"new": result.new, "fixed": result.fixed, "persisting": result.persisting,
              "unverified": result.unverified}
    if new_only:
        groups = {"new": result.new}
    if fmt == "json":
        click.echo(json.dumps({k: [f.to_dict() for f in v] for k, v in groups.items()}, indent=2, ensure_ascii=False))
        return
    labels = {"new": "baru", "fixed": "diperbaiki", "persisting": "masih ada", "unverified": "tidak diperiksa ulang"}
    for name, findings in groups.items():
        click.echo(f"{name if lang == 'en' else labels[name]}: {len(findings)}")
        for f in findings:
            click.echo(terminal_text(f"  {f.severity.value:<8} {f.rule_id:<14} {f.target_id}  {f.message[lang]}"))
