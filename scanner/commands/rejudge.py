"""``pindai rejudge``: judge the stored facts of a scan again under the current rules, without rescanning."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from scanner.commands.common import (
    SeverityChoice,
    emit,
    exit_code,
    fail,
    load_ruleset,
    open_store,
    output_options,
    result_ref,
    stored_result,
)
from scanner.commands.options import RulePaths, rules_options

if TYPE_CHECKING:
    from scanner.history.store import Store
    from scanner.model import ScanResult


@click.command()
@click.argument("result_file", metavar="RESULT")
@rules_options
@click.option("--fail-on", type=SeverityChoice(), default="none", show_default=True,
              help="Exit 1 when a finding is at or above this severity.")
@click.option("--store", "store_url", default=None, help="History store URL for scan ids.")
@click.option("--update-store", is_flag=True,
              help="RESULT is a stored scan id: replace its findings and where each rule applied with the new "
                   "judgement (its facts and status stay).")
@output_options
def rejudge(result_file: str, rules_path: RulePaths, fail_on: str, store_url: str | None, update_store: bool,
            fmt: str, lang: str | None, **files: Path | None) -> None:
    """Re-evaluate the stored facts of a JSON result or a stored scan id under the current rules.

    Nilai ulang fakta tersimpan (hasil JSON atau pemindaian tersimpan) dengan aturan terkini, tanpa memindai ulang.
    """
    from scanner.running.scan import judged

    ruleset = load_ruleset(rules_path)
    if update_store:
        if Path(result_file).is_file():
            fail("--update-store needs a stored scan id, not a result file / --update-store perlu ID pemindaian "
                 "tersimpan, bukan berkas hasil")
        store = open_store(store_url)
        result = judged(stored_result(store, result_file), ruleset)
        _write_back(store, result)
    else:
        result = judged(result_ref(result_file, store_url), ruleset)
    emit(result, ruleset, fmt, lang or "id", {k.removeprefix("out_"): v for k, v in files.items()})
    sys.exit(exit_code(result, fail_on))


def _write_back(store: Store, result: ScanResult) -> None:
    """The stored scan gets the new findings, evaluation errors and applicability; its status stays."""
    from scanner.history.store import StoreError

    try:
        store.finish_scan(result, store.status(result.scan_id))
    except StoreError as exc:
        fail(str(exc))
    click.echo(f"updated scan {result.scan_id} in {store.display_url}", err=True)
