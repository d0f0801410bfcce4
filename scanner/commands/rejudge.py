"""``pindai rejudge``: judge the stored facts of a scan again under the current rules, without rescanning."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from scanner.commands.common import (
    SeverityChoice,
    emit,
    exit_code,
    load_ruleset,
    output_options,
    read_result,
)
from scanner.commands.options import RulePaths, rules_options


@click.command()
@click.argument("result_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@rules_options
@click.option("--fail-on", type=SeverityChoice(), default="none", show_default=True,
              help="Exit 1 when a finding is at or above this severity.")
@output_options
def rejudge(result_file: Path, rules_path: RulePaths, fail_on: str, fmt: str, lang: str | None,
            **files: Path | None) -> None:
    """Re-evaluate the stored facts of a JSON result under the current rules.

    Nilai ulang fakta tersimpan dengan aturan terkini, tanpa memindai ulang.
    """
    from scanner.scan import judged

    ruleset = load_ruleset(rules_path)
    result = judged(read_result(result_file), ruleset)
    emit(result, ruleset, fmt, lang or "id", {k.removeprefix("out_"): v for k, v in files.items()})
    sys.exit(exit_code(result, fail_on))
