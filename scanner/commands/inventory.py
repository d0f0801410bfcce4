"""``pindai inventory check FILE``: read an asset inventory and report the rows that cannot be scanned."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from scanner.commands.common import EXIT_CONFIG, EXIT_OK, fail


@click.group()
def inventory() -> None:
    """Asset inventories (CSV or XLSX) / Inventaris aset (CSV atau XLSX)."""


@inventory.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--scope", "allow", multiple=True, metavar="PATTERN",
              help="Declared scope: host pattern, name or CIDR (repeatable); rows outside it are errors.")
@click.option("--no-resolve", is_flag=True, help="Do not look the host names up in DNS.")
def check(file: Path, allow: tuple[str, ...], no_resolve: bool) -> None:
    """Check FILE: every row that is malformed, duplicated, outside --scope or not resolvable, with its row number.

    Periksa FILE: setiap baris yang salah bentuk, ganda, di luar --scope atau tidak dapat di-resolve.
    Exit 0 when every row can be scanned, 2 otherwise.
    """
    from scanner.inventory import InventoryError, outside_scope, read_inventory, unresolvable
    from scanner.running.scope import Scope

    try:
        found = read_inventory(file)
    except InventoryError as exc:
        fail(str(exc))
    if allow:
        found = outside_scope(found, Scope(allow))
    problems = sorted([*found.problems, *([] if no_resolve else unresolvable(found))], key=lambda p: p.row)
    for problem in problems:
        click.echo(f"error: {problem}", err=True)
    agencies = len({t.agency for t in found.targets})
    click.echo(f"{file}: {len(found.targets)} target(s) in {agencies} agency(ies) / target dalam perangkat daerah; "
               f"{len(problems)} row problem(s) / baris bermasalah")
    sys.exit(EXIT_CONFIG if problems else EXIT_OK)
