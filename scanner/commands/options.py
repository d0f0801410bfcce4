"""Command-line options shared by several ``pindai`` commands."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import click

RulePaths = tuple[Path, ...] | None


def rules_options(func: Any) -> Any:
    """``--rules PATH`` (repeatable; added to the shipped packs) and ``--no-default-rules``, passed to
    the command as ``rules_path``: None for the shipped packs, else the pack paths to load together."""

    @functools.wraps(func)
    def command(*args: Any, rules_paths: tuple[Path, ...], no_default_rules: bool, **kwargs: Any) -> Any:
        if no_default_rules and not rules_paths:
            raise click.UsageError("--no-default-rules needs --rules PATH / --no-default-rules memerlukan --rules")
        if not rules_paths:
            kwargs["rules_path"] = None
        else:
            from scanner.resources import rules_dir

            kwargs["rules_path"] = rules_paths if no_default_rules else (rules_dir(), *rules_paths)
        return func(*args, **kwargs)

    command = click.option("--no-default-rules", is_flag=True,
                           help="Use only the --rules packs, not the shipped ones.")(command)
    return click.option("--rules", "rules_paths", multiple=True, type=click.Path(exists=True, path_type=Path),
                        help="A rule pack directory or file, added to the shipped packs (repeatable); "
                        "rule ids must be unique across all packs.")(command)


class ProbeName(click.ParamType):
    """A registered probe's name; the registry is read only when the option is used or --help shown."""

    name = "probe"

    def get_metavar(self, *_args: Any, **_kwargs: Any) -> str:
        from scanner.probes import specs

        return "[" + "|".join(specs()) + "]"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        from scanner.probes import specs

        if value in specs():
            return str(value)
        self.fail(f"{value!r} is not one of {', '.join(map(repr, specs()))}.", param, ctx)
