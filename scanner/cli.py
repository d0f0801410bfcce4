"""The ``pindai`` command line.

Exit codes: 0 no finding at or above --fail-on, every target observed in full and
every rule evaluated; 1 findings at or above --fail-on; 2 usage or configuration error
(bad rule, profile or target); 3 scan error or partial scan (a target or probe was
inconclusive, a cap cut an observation short, or a rule could not be evaluated).
When both 1 and 3 apply, 1 wins: a known problem matters more than an unknown.
130 when a scan is interrupted (SIGINT/SIGTERM); finished observations are stored
and ``pindai scan --resume`` completes it.
"""

from __future__ import annotations

import io
import re
import sys
from typing import Any

import click

from scanner import __version__
from scanner.commands.common import verbose_option
from scanner.commands.daemon import daemon, schedule
from scanner.commands.findings import findings
from scanner.commands.history import diff, history
from scanner.commands.inventory import inventory
from scanner.commands.rejudge import rejudge
from scanner.commands.report import report
from scanner.commands.rules import rules
from scanner.commands.scan import scan
from scanner.commands.serve import serve, users
from scanner.commands.update import update
from scanner.commands.verify import sign, verify
from scanner.commands.worker import worker
from scanner.errors import PindaiError
from scanner.extras import MissingExtra

ERROR_PREFIX = "pindai: "
"""The one prefix of every error line (Pindai's own and click's usage errors alike)."""


def _show(exc: click.ClickException) -> None:
    """What click prints for ``exc`` (usage and help hint for a usage error), its ``Error:`` as ``pindai:``."""
    shown = io.StringIO()
    exc.show(file=shown)
    click.echo(re.sub(r"^Error: ", ERROR_PREFIX, shown.getvalue(), count=1, flags=re.MULTILINE), err=True,
               nl=False)


class _PindaiGroup(click.Group):
    """The command group maps every PindaiError to its exit code, once: a feature used without its
    optional extra is a usage error naming the extra; any other says its message (exit 2).
    Every error line starts with ``pindai:``, click's own usage errors too (same exit codes)."""

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            returned = super().main(args, prog_name, complete_var, False, **extra)
        except click.ClickException as exc:
            _show(exc)
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(1)
        sys.exit(returned if isinstance(returned, int) else 0)  # click.exceptions.Exit's code, as click would

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except MissingExtra as exc:
            raise click.UsageError(str(exc)) from None
        except PindaiError as exc:
            click.echo(f"{ERROR_PREFIX}{exc}", err=True)
            ctx.exit(exc.exit_code)


@click.group(cls=_PindaiGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pindai")
@verbose_option
def main() -> None:
    """Pindai: security and personal-data compliance scanner for SPBE systems.

    Pindai: pemindai keamanan dan kepatuhan pelindungan data pribadi untuk sistem SPBE.
    """


for _command in (scan, report, rejudge, history, diff, rules, daemon, worker, verify, sign, inventory, schedule,
                 findings, serve, users, update):
    main.add_command(_command)
