"""``pindai rules list|show|validate|test``: the rule packs."""

from __future__ import annotations

import sys
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
    """List, show, validate and test rule packs. / Daftar, tampilkan, validasi dan uji aturan."""


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
    """Validate rule packs (default: the shipped ones): every fact path against its probe's facts
    schema (docs/facts/<probe>.schema.json, from its facts model), then each rule evaluated on example
    facts of its probe.

    Exit 2 naming file, rule and field, or the rule and example it cannot be evaluated on.
    """
    from scanner.rulecheck import example_failures, example_shape_problems, path_problems

    ruleset = load_ruleset(path)
    for warning in ruleset.warnings:
        click.echo(f"warning: {warning}", err=True)
    paths = path_problems(ruleset)
    for problem in paths:
        click.echo(f"error: {problem}", err=True)
    if paths:
        fail(f"{len(paths)} unknown fact path(s) / jalur fakta tidak dikenal (docs/facts/<probe>.schema.json)")
    if examples_dir is not None:
        shapes = example_shape_problems({rule.probe for rule in ruleset.rules}, examples_dir)
        for shape in shapes:
            click.echo(f"error: {shape}", err=True)
        if shapes:
            fail(f"{len(shapes)} example field(s) not in the facts schemas / kolom contoh tidak dikenal")
    failures, missing = example_failures(ruleset, examples_dir)
    for probe in missing:
        click.echo(f"warning: no example facts for probe {probe!r}; its rules were not evaluated", err=True)
    for failure in failures:
        rule = ruleset.by_id(failure.rule_id)
        click.echo(f"error: {rule.file if rule else ''} {failure}", err=True)
    if failures:
        fail(f"{len(failures)} rule evaluation error(s) / aturan gagal dievaluasi")
    checked = counted(len(ruleset.rules), "rule")
    click.echo(f"{checked} OK ({ruleset.version}), fact paths checked, evaluated on example facts")


@rules.command("test")
@click.argument("packs", nargs=-1, type=click.Path(exists=True, path_type=Path))
def rules_test(packs: tuple[Path, ...]) -> None:
    """Run the cases stored beside each pack (PACK.cases.yaml; default: the shipped packs and their cases)
    and print every case that failed and why. / Jalankan kasus uji di samping setiap paket aturan.

    Exit 0 when every case holds, 1 when one fails, 2 when a pack or a cases file is invalid.
    """
    from scanner.resources import rules_dir
    from scanner.rulecases import cases_file, check_cases, load_cases
    from scanner.rules import pack_files

    ruleset = load_ruleset(packs or None)
    files = [file for each in (packs or (rules_dir(),)) for file in pack_files(each)]
    total, failed = 0, 0
    for pack in files:
        rules = [rule for rule in ruleset.rules if Path(rule.file) == pack]
        found = cases_file(pack)
        if found is None:
            click.echo(f"{pack}: no cases (write {pack.name.removesuffix('.yaml')}.cases.yaml beside it)", err=True)
            failed += len(rules)
            continue
        try:
            cases = load_cases(found)
        except ValueError as exc:
            fail(str(exc))
        ran, failures = check_cases(ruleset, rules, cases, str(found))
        total += ran
        failed += len(failures)
        for failure in failures:
            click.echo(f"FAIL {failure}", err=True)
        click.echo(f"{pack}: {len(rules)} rules, {ran} cases, {len(failures)} failed")
    if failed:
        click.echo(f"pindai: {failed} failing case(s) / kasus gagal", err=True)
        sys.exit(1)
    click.echo(f"{total} cases OK / semua kasus lolos")
