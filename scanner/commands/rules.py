"""``pindai rules list|show|validate``: the rule packs."""

from __future__ import annotations

from pathlib import Path

import click

from scanner.commands.common import (
    counted,
    fail,
    load_ruleset,
)
from scanner.commands.options import RulePaths, rules_options


@click.group()
def rules() -> None:
    """List, show and validate rule packs. / Daftar, tampilkan dan validasi aturan."""


@rules.command("list")
@rules_options
@click.option("--lang", type=click.Choice(["id", "en"]), default="id")
def rules_list(rules_path: RulePaths, lang: str) -> None:
    """List every rule: id, severity, probe and title."""
    for rule in load_ruleset(rules_path).rules:
        spec = rule.spec
        click.echo(f"{spec.id:<14} {spec.severity.value:<8} {spec.probe:<9} {getattr(spec.title, lang)}")


@rules.command("show")
@click.argument("rule_id")
@rules_options
@click.option("--lang", type=click.Choice(["id", "en"]), default="id")
def rules_show(rule_id: str, rules_path: RulePaths, lang: str) -> None:
    """Show one rule in full, with the articles it cites."""
    ruleset = load_ruleset(rules_path)
    rule = ruleset.by_id(rule_id.upper())
    if rule is None:
        fail(f"no rule {rule_id!r}; see `pindai rules list`")
    spec = rule.spec
    click.echo(f"{spec.id}  [{spec.severity.value}]  probe={spec.probe}  ({rule.file})")
    click.echo(getattr(spec.title, lang))
    click.echo("")
    click.echo(getattr(spec.description, lang))
    click.echo("")
    click.echo(f"when: {spec.when.strip()}")
    click.echo("")
    for n, step in enumerate(getattr(spec.remediation, lang), start=1):
        click.echo(f"{n}. {step}")
    click.echo("")
    for ref in spec.references:
        article = ruleset.regulations.resolve(ref)
        text = article.text[lang] if article else "?"
        click.echo(f"- {ref}: {text}")


@rules.command("validate")
@click.argument("path", required=False, type=click.Path(exists=True, path_type=Path))
@click.option("--examples", "examples_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Directory of <probe>.json example facts (default: the shipped docs/facts/examples).")
def rules_validate(path: Path | None, examples_dir: Path | None) -> None:
    """Validate rule packs (default: the shipped ones) and evaluate each rule on example facts of its probe.

    Exit 2 naming file, rule and field, or the rule and example it cannot be evaluated on.
    """
    from scanner.rulecheck import example_failures

    ruleset = load_ruleset(path)
    failures, missing = example_failures(ruleset, examples_dir)
    for probe in missing:
        click.echo(f"warning: no example facts for probe {probe!r}; its rules were not evaluated", err=True)
    for failure in failures:
        rule = ruleset.by_id(failure.rule_id)
        click.echo(f"error: {rule.file if rule else ''} {failure}", err=True)
    if failures:
        fail(f"{len(failures)} rule evaluation error(s) / aturan gagal dievaluasi")
    click.echo(f"{counted(len(ruleset.rules), 'rule')} OK ({ruleset.version}), evaluated on example facts")
