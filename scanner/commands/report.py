"""``pindai report``: re-render the reports of a stored scan or JSON result without rescanning."""

from __future__ import annotations

from pathlib import Path

import click

from scanner.commands.common import (
    emit,
    load_ruleset,
    output_options,
    result_ref,
)
from scanner.commands.options import RulePaths, rules_options


@click.command()
@click.argument("result_file", metavar="RESULT")
@rules_options
@click.option("--previous", default=None, metavar="RESULT",
              help="Earlier scan (JSON file or stored scan id) for the HTML trend section.")
@click.option("--store", "store_url", default=None, help="History store URL for scan ids.")
@output_options
def report(result_file: str, rules_path: RulePaths, previous: str | None, store_url: str | None, fmt: str,
           lang: str | None, **files: Path | None) -> None:
    """Re-render reports from a JSON result or a stored scan id, without rescanning.

    Buat ulang laporan dari hasil JSON atau pemindaian tersimpan tanpa memindai ulang.
    """
    ruleset = load_ruleset(rules_path)
    result = result_ref(result_file, store_url)
    earlier = result_ref(previous, store_url) if previous else None
    emit(result, ruleset, fmt, lang or "id", {k.removeprefix("out_"): v for k, v in files.items()}, earlier)
