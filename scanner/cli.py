"""The ``pindai`` command line.

Exit codes: 0 no finding at or above --fail-on and every target observed;
1 findings at or above --fail-on; 2 usage or configuration error (bad rule,
profile or target); 3 scan error (a target or probe was inconclusive).
When both 1 and 3 apply, 1 wins: a known problem matters more than an unknown.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from scanner import __version__
from scanner.model import ScanResult, Severity, Target
from scanner.politeness import HostGate, PolitenessPolicy
from scanner.probes.base import ProbeContext
from scanner.profile import Profile, ProfileError, load_profile
from scanner.regulations import CatalogueError
from scanner.report import FORMATS, renderer
from scanner.rules import RuleSet, RuleValidationError, load_rules
from scanner.scope import Scope
from scanner.targets import TargetError, parse_target

EXIT_OK, EXIT_FINDINGS, EXIT_CONFIG, EXIT_SCAN_ERROR = 0, 1, 2, 3
SEVERITIES = [s.value for s in Severity] + ["none"]
FILE_OUTPUTS = ("json", "html", "sarif", "junit", "csv", "markdown")


def _fail(message: str, code: int = EXIT_CONFIG) -> NoReturn:
    click.echo(f"pindai: {message}", err=True)
    sys.exit(code)


def _load_ruleset(path: Path | None) -> RuleSet:
    try:
        return load_rules(path)
    except RuleValidationError as exc:
        for error in exc.errors:
            click.echo(f"error: {error}", err=True)
        _fail(f"{len(exc.errors)} rule error(s); nothing was scanned / tidak ada yang dipindai")
    except CatalogueError as exc:
        _fail(f"regulation catalogue error: {exc}")


def _output_options(func: Any) -> Any:
    for fmt in reversed(FILE_OUTPUTS):
        func = click.option(f"--{fmt}", f"out_{fmt}", type=click.Path(dir_okay=False, path_type=Path),
                            help=f"Write the {fmt.upper()} report to this file.")(func)
    func = click.option("--lang", type=click.Choice(["id", "en"]), default=None,
                        help="Report language: Bahasa Indonesia (id, default) or English (en).")(func)
    func = click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
                        show_default=True, help="What to print on standard output.")(func)
    return func


def _emit(result: ScanResult, ruleset: RuleSet, fmt: str, lang: str, files: dict[str, Path | None]) -> None:
    click.echo(renderer(fmt)(result, ruleset, lang), nl=False)
    for name, path in files.items():
        if path is None:
            continue
        if name not in FORMATS:
            _fail(f"--{name} output is not available in this version")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(renderer(name)(result, ruleset, lang), encoding="utf-8")
        click.echo(f"wrote {path}", err=True)


def exit_code(result: ScanResult, fail_on: str) -> int:
    """Apply the documented exit-code contract to a result."""
    if fail_on != "none":
        threshold = Severity(fail_on)
        if any(f.severity.at_least(threshold) for f in result.open_findings()):
            return EXIT_FINDINGS
    return EXIT_SCAN_ERROR if result.inconclusive() else EXIT_OK


def _read_result(path: Path) -> ScanResult:
    try:
        return ScanResult.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        _fail(f"{path}: not a Pindai JSON result: {exc}")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pindai")
@click.option("-v", "--verbose", is_flag=True, help="Log progress and probe details to standard error.")
def main(verbose: bool) -> None:
    """Pindai: security and personal-data compliance scanner for SPBE systems.

    Pindai: pemindai keamanan dan kepatuhan pelindungan data pribadi untuk sistem SPBE.
    """
    level = logging.INFO if verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


@main.command()
@click.argument("targets", nargs=-1)
@click.option("--profile", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="TOML scan profile (targets, agencies, scope, politeness, thresholds).")
@click.option("--rules", "rules_path", type=click.Path(exists=True, path_type=Path),
              help="Rule pack directory or file (default: the shipped rules).")
@click.option("--probe", "probe_names", multiple=True, help="Run only these probes (repeatable).")
@click.option("--fail-on", type=click.Choice(SEVERITIES), default=None,
              help="Exit 1 when a finding is at or above this severity.")
@_output_options
def scan(targets: tuple[str, ...], profile: Path | None, rules_path: Path | None, probe_names: tuple[str, ...],
         fail_on: str | None, fmt: str, lang: str | None, **files: Path | None) -> None:
    """Scan TARGETS (URLs, database URLs, .sql files, source directories) or a --profile.

    Pindai TARGET (URL, URL basis data, berkas .sql, direktori kode sumber) atau --profile.
    """
    from scanner.probes import load_probes
    from scanner.scan import scan as run_scan

    if bool(targets) == bool(profile):
        _fail("give either TARGET... or --profile FILE / berikan TARGET... atau --profile FILE")
    ruleset = _load_ruleset(rules_path)
    loaded: Profile | None = None
    if profile:
        try:
            loaded = load_profile(profile)
        except ProfileError as exc:
            _fail(str(exc))
        target_list = loaded.targets
        ctx = ProbeContext(gate=HostGate(loaded.politeness), scope=loaded.scope)
    else:
        try:
            target_list = [parse_target(t) for t in targets]
        except TargetError as exc:
            _fail(str(exc))
        hosts = tuple(sorted({t.host for t in target_list if t.host}))
        ctx = ProbeContext(gate=HostGate(PolitenessPolicy()), scope=Scope(hosts))
    try:
        probes = load_probes(list(probe_names) or None)
    except ValueError as exc:
        _fail(str(exc))
    _warn_duplicates(target_list)
    result = run_scan(target_list, probes, ruleset, ctx, profile=loaded.summary() if loaded else {})
    lang = lang or (loaded.spec.lang if loaded else "id")
    threshold = fail_on or (loaded.spec.thresholds.fail_on if loaded else "none")
    _emit(result, ruleset, fmt, lang, {k.removeprefix("out_"): v for k, v in files.items()})
    sys.exit(exit_code(result, threshold))


def _warn_duplicates(targets: list[Target]) -> None:
    seen: set[str] = set()
    for target in targets:
        if target.id in seen:
            click.echo(f"warning: target {target.id} is listed twice", err=True)
        seen.add(target.id)


@main.command()
@click.argument("result_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--rules", "rules_path", type=click.Path(exists=True, path_type=Path),
              help="Rule pack directory or file (for titles, remediation and the compliance view).")
@_output_options
def report(result_file: Path, rules_path: Path | None, fmt: str, lang: str | None, **files: Path | None) -> None:
    """Re-render reports from a stored JSON result without rescanning.

    Buat ulang laporan dari hasil JSON tersimpan tanpa memindai ulang.
    """
    ruleset = _load_ruleset(rules_path)
    result = _read_result(result_file)
    _emit(result, ruleset, fmt, lang or "id", {k.removeprefix("out_"): v for k, v in files.items()})


@main.command()
@click.argument("result_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--rules", "rules_path", type=click.Path(exists=True, path_type=Path),
              help="Rule pack directory or file to judge with (default: the shipped rules).")
@click.option("--fail-on", type=click.Choice(SEVERITIES), default="none", show_default=True,
              help="Exit 1 when a finding is at or above this severity.")
@_output_options
def rejudge(result_file: Path, rules_path: Path | None, fail_on: str, fmt: str, lang: str | None,
            **files: Path | None) -> None:
    """Re-evaluate the stored facts of a JSON result under the current rules.

    Nilai ulang fakta tersimpan dengan aturan terkini, tanpa memindai ulang.
    """
    from scanner.scan import judged

    ruleset = _load_ruleset(rules_path)
    result = judged(_read_result(result_file), ruleset)
    _emit(result, ruleset, fmt, lang or "id", {k.removeprefix("out_"): v for k, v in files.items()})
    sys.exit(exit_code(result, fail_on))


@main.group()
def rules() -> None:
    """List, show and validate rule packs. / Daftar, tampilkan dan validasi aturan."""


@rules.command("list")
@click.option("--rules", "rules_path", type=click.Path(exists=True, path_type=Path))
@click.option("--lang", type=click.Choice(["id", "en"]), default="id")
def rules_list(rules_path: Path | None, lang: str) -> None:
    """List every rule: id, severity, probe and title."""
    for rule in _load_ruleset(rules_path).rules:
        spec = rule.spec
        click.echo(f"{spec.id:<14} {spec.severity.value:<8} {spec.probe:<9} {getattr(spec.title, lang)}")


@rules.command("show")
@click.argument("rule_id")
@click.option("--rules", "rules_path", type=click.Path(exists=True, path_type=Path))
@click.option("--lang", type=click.Choice(["id", "en"]), default="id")
def rules_show(rule_id: str, rules_path: Path | None, lang: str) -> None:
    """Show one rule in full, with the articles it cites."""
    ruleset = _load_ruleset(rules_path)
    rule = ruleset.by_id(rule_id.upper())
    if rule is None:
        _fail(f"no rule {rule_id!r}; see `pindai rules list`")
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
def rules_validate(path: Path | None) -> None:
    """Validate rule packs (default: the shipped ones); exit 2 naming file, rule and field."""
    ruleset = _load_ruleset(path)
    click.echo(f"{len(ruleset.rules)} rules OK ({ruleset.version})")
