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

import json
import logging
import re
import signal
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

import click

from scanner import __version__
from scanner.commands.daemon import daemon
from scanner.commands.options import RulePaths, rules_options
from scanner.commands.progress import scan_progress
from scanner.commands.worker import worker
from scanner.extras import MissingExtra
from scanner.model import Facts, ScanResult, Severity, Target
from scanner.politeness import HostGate, PolitenessPolicy
from scanner.probes import PROBES
from scanner.probes.base import Probe, ProbeContext
from scanner.report import FORMATS, renderer
from scanner.scope import Scope
from scanner.targets import TargetError, parse_target

if TYPE_CHECKING:  # heavy modules (pydantic, SQLAlchemy, CEL) load inside the commands that need them
    from scanner.profile import Profile
    from scanner.rules import RuleSet
    from scanner.store import Store
    from scanner.suppressions import Suppressions

EXIT_OK, EXIT_FINDINGS, EXIT_CONFIG, EXIT_SCAN_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
SEVERITIES = [s.value for s in Severity] + ["none"]
_COMMENT = re.compile(r"(^|\s)#.*")
FILE_OUTPUTS = ("json", "html", "sarif", "junit", "csv", "markdown")


def _fail(message: str, code: int = EXIT_CONFIG) -> NoReturn:
    click.echo(f"pindai: {message}", err=True)
    sys.exit(code)


def _load_ruleset(path: Path | RulePaths) -> RuleSet:
    from scanner.regulations import CatalogueError
    from scanner.rules import RuleValidationError, load_rules

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
    func = click.option("--per-agency-dir", "out_per_agency_dir", type=click.Path(file_okay=False, path_type=Path),
                        help="Also write one HTML report per agency (SKPD) into this directory.")(func)
    func = click.option("--lang", type=click.Choice(["id", "en"]), default=None,
                        help="Report language: Bahasa Indonesia (id, default) or English (en).")(func)
    func = click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
                        show_default=True, help="What to print on standard output.")(func)
    return verbose_option(func)


def _emit(result: ScanResult, ruleset: RuleSet, fmt: str, lang: str, files: dict[str, Path | None],
          previous: ScanResult | None = None) -> None:
    """Write every requested file, then print ``fmt`` and the coverage notes (on stderr).

    Files come first: nothing a target put into the terminal view can stop them being written.
    The HTML report shows the trend against ``previous``.
    """
    files = dict(files)
    per_agency_dir = files.pop("per_agency_dir", None)
    if per_agency_dir is not None:
        from scanner.report.agencies import write_per_agency

        for written in write_per_agency(result, ruleset, lang, per_agency_dir):
            click.echo(f"wrote {written}", err=True)
    for name, path in files.items():
        if path is None:
            continue
        if name not in FORMATS:
            _fail(f"--{name} output is not available in this version")
        path.parent.mkdir(parents=True, exist_ok=True)
        if name == "html":
            from scanner.report.html import render_with_history

            text = render_with_history(result, ruleset, lang, previous)
        else:
            text = renderer(name)(result, ruleset, lang)
        path.write_text(text, encoding="utf-8")
        click.echo(f"wrote {path}", err=True)
    click.echo(_terminal_table(result, ruleset, lang) if fmt == "table" else renderer(fmt)(result, ruleset, lang),
               nl=False)
    _warn_partial(result, lang)


def _terminal_table(result: ScanResult, ruleset: RuleSet, lang: str) -> str:
    """The table as wide as the terminal, severities coloured on a terminal unless $NO_COLOR is set;
    piped output is 140 columns without colour."""
    import os
    import shutil

    from scanner.report.table import render

    tty = sys.stdout.isatty()
    width = shutil.get_terminal_size((140, 24)).columns if tty else 140
    return render(result, ruleset, lang, width=max(40, width), color=tty and not os.environ.get("NO_COLOR"))


def _warn_partial(result: ScanResult, lang: str) -> None:
    """One stderr line per coverage limit and per rule that could not be evaluated."""
    from scanner.report.common import coverage_notes
    from scanner.report.escape import terminal_text

    for note in coverage_notes(result, lang):
        source = f" ({note.source})" if note.kind == "limit" else ""  # an error's text names its rule
        click.echo(terminal_text(f"warning: {note.target_id}{source}: {note.text}"), err=True)


def exit_code(result: ScanResult, fail_on: str, baseline: set[str] | None = None) -> int:
    """Apply the documented exit-code contract; findings in ``baseline`` (fingerprints) do not count."""
    if fail_on != "none":
        threshold = Severity(fail_on)
        counted = [f for f in result.open_findings() if f.fingerprint not in (baseline or set())]
        if any(f.severity.at_least(threshold) for f in counted):
            return EXIT_FINDINGS
    return EXIT_OK if result.complete() else EXIT_SCAN_ERROR


def _read_result(path: Path) -> ScanResult:
    try:
        return ScanResult.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        _fail(f"{path}: not a Pindai JSON result: {exc}")


def _set_verbosity(ctx: click.Context, _param: click.Parameter, count: int) -> int:
    """``-v`` logs progress and probe details, ``-vv`` also each request (URL, status, time; never
    bodies or credentials); accepted before or after the subcommand, the counts add up."""
    root = ctx.find_root()
    total = int(root.meta.get("pindai.verbosity", 0)) + count
    root.meta["pindai.verbosity"] = total
    level = logging.WARNING if total == 0 else logging.INFO if total == 1 else logging.DEBUG
    logging.basicConfig(format="%(levelname)s %(name)s: %(message)s")  # no-op when handlers exist
    logging.getLogger().setLevel(level)
    if total >= 2:
        for noisy in ("urllib3", "celery", "kombu", "sqlalchemy", "asyncio"):
            logging.getLogger(noisy).setLevel(logging.INFO)
    return count


verbose_option = click.option("-v", "--verbose", count=True, expose_value=False, is_eager=True,
                              callback=_set_verbosity,
                              help="-v: progress and probe details on standard error; -vv: every request too.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pindai")
@verbose_option
def main() -> None:
    """Pindai: security and personal-data compliance scanner for SPBE systems.

    Pindai: pemindai keamanan dan kepatuhan pelindungan data pribadi untuk sistem SPBE.
    """


def _severity_list(_ctx: click.Context, _param: click.Parameter, value: str | None) -> frozenset[str] | None:
    if value is None:
        return None
    chosen = frozenset(v.strip().lower() for v in value.split(",") if v.strip())
    unknown = chosen - {s.value for s in Severity}
    if unknown or not chosen:
        raise click.BadParameter(f"use a comma-separated list of {', '.join(s.value for s in Severity)}")
    return chosen


def _proxy_url(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    from urllib3.util import parse_url

    try:
        parsed = parse_url(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    if parsed.scheme not in ("http", "https") or not parsed.host or re.search(r"[\s\\]", value):
        raise click.BadParameter("use http://host:port or https://host:port")
    return value


def _header_list(_ctx: click.Context, _param: click.Parameter,
                 values: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    headers = []
    for value in values:
        name, sep, content = value.partition(":")
        if not sep or not re.fullmatch(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+", name.strip()) or re.search(r"[\r\n\0]", content):
            raise click.BadParameter(f"{value!r}: use 'Name: value' (one line)")
        headers.append((name.strip(), content.strip()))
    return tuple(headers)


@main.command(epilog="Exit codes: 0 clean; 1 findings at or above --fail-on; 2 usage or configuration error; "
                     "3 a target or probe was inconclusive, an observation was cut short by a cap, or a rule "
                     "could not be evaluated; 130 interrupted (resume with --resume).")
@click.argument("targets", nargs=-1)
@click.option("--profile", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="TOML scan profile (targets, agencies, scope, politeness, thresholds).")
@rules_options
@click.option("--probe", "probe_names", multiple=True, type=click.Choice(list(PROBES)),
              help="Run only these probes (repeatable).")
@click.option("--fail-on", type=click.Choice(SEVERITIES), default=None,
              help="Exit 1 when a finding is at or above this severity.")
@click.option("--baseline", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Earlier JSON result: only findings not in it count for --fail-on.")
@click.option("--suppressions", "suppressions_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="YAML file of accepted risks (fingerprint or rule + target, reason, owner, expiry); "
              "overrides the profile's `suppressions`.")
@click.option("--store", "store_url", default=None, help="History store URL (default: $PINDAI_STORE or "
              "~/.local/share/pindai/history.db); e.g. postgresql://user@host/pindai.")
@click.option("--no-store", is_flag=True, help="Do not record this scan in the history store.")
@click.option("--resume", default=None, is_flag=False, flag_value="latest", metavar="[SCAN_ID]",
              help="Complete an interrupted scan from the store (default: the latest unfinished one).")
@click.option("--concurrency", type=click.IntRange(1, 64), default=None,
              help="Connections at a time per host (default 5, or the profile's); lowered automatically "
              "while a host answers 429/503 or times out.")
@click.option("--rate", type=click.FloatRange(0, 1000), default=None,
              help="Fixed cap on HTTP requests per second per host (default: none, adaptive back-off only).")
@click.option("--timeout", type=click.FloatRange(0.1, 300), default=None,
              help="Network timeout in seconds per connection or request (default 10, or the profile's).")
@click.option("--processes", type=click.IntRange(1, 64), default=None,
              help="Observe in N worker processes sharded by host (default: every core, up to 8, "
              "when there are 20 or more targets).")
@click.option("--distributed", is_flag=True,
              help="Observe through `pindai worker --zone` workers ($PINDAI_BROKER_URL); see docs/distributed.md.")
@click.option("-l", "--targets-file", type=click.File("r", encoding="utf-8"),
              help="Read targets from FILE, one per line ('#' starts a comment; '-' is standard input).")
@click.option("--severity", "severities", callback=_severity_list, metavar="LIST",
              help="Show and write only findings of these severities, e.g. critical,high "
              "(the history store keeps every finding).")
@click.option("--exclude-rule", "excluded_rules", multiple=True, metavar="ID",
              help="Do not run this rule (repeatable).")
@click.option("--proxy", callback=_proxy_url, metavar="URL",
              help="Send HTTP(S) requests through this proxy (http://host:port); environment proxies are never used.")
@click.option("--header", "headers", multiple=True, callback=_header_list, metavar="'NAME: value'",
              help="Add this header to every HTTP request to the targets (repeatable).")
@click.option("--user-agent", default=None,
              help="User-Agent for HTTP requests (default: a current browser's; the cloaking check still "
              "compares a browser's and Googlebot's view).")
@_output_options
def scan(targets: tuple[str, ...], profile: Path | None, rules_path: RulePaths, probe_names: tuple[str, ...],
         fail_on: str | None, baseline: Path | None, suppressions_path: Path | None, store_url: str | None,
         no_store: bool, resume: str | None, concurrency: int | None, rate: float | None, timeout: float | None,
         processes: int | None, distributed: bool, targets_file: TextIO | None,
         severities: frozenset[str] | None, excluded_rules: tuple[str, ...], proxy: str | None,
         headers: tuple[tuple[str, str], ...], user_agent: str | None, fmt: str, lang: str | None,
         **files: Path | None) -> None:
    """Scan TARGETS (URLs, bare hosts, database URLs, .sql files, source files or directories) or a --profile.

    Pindai TARGET (URL, nama host, URL basis data, berkas .sql, berkas atau direktori kode sumber) atau --profile.
    """
    if targets_file is not None:
        targets = (*targets, *_read_targets_file(targets_file))
    from scanner.probes import load_probes
    from scanner.scan import new_scan, runner_for
    from scanner.scan import scan as run_scan

    if bool(targets) == bool(profile) and not resume:
        _fail("give either TARGET... or --profile FILE / berikan TARGET... atau --profile FILE")
    try:
        runner = runner_for(distributed, processes)
    except MissingExtra as exc:
        _fail(str(exc))
    ruleset = _without_rules(_load_ruleset(rules_path), excluded_rules)
    baseline_fps = {f.fingerprint for f in _read_result(baseline).findings} if baseline else set()
    store = None if no_store else _open_store(store_url)
    overrides = {"per_host_concurrency": concurrency, "requests_per_second": rate, "timeout_s": timeout}
    overrides = {k: v for k, v in overrides.items() if v is not None}
    loaded, target_list, ctx = _targets_and_context(targets, profile, overrides)
    ctx = replace(ctx, proxy=proxy or ctx.proxy, headers=headers, user_agent=user_agent)
    suppressions = _load_suppressions(suppressions_path) or (loaded.suppressions if loaded else None)
    probes = load_probes(list(probe_names) or None)
    if resume:
        result = _resumed(store, resume)
        if not target_list:
            ctx = _command_line_context(result.targets, overrides)
    else:
        _warn_duplicates(target_list)
        result = new_scan(target_list, ruleset, loaded.summary() if loaded else {})
        if store:
            _store_call(store.begin_scan, result)
    stop = _InterruptGuard()
    try:
        with stop, scan_progress(_pending(result, probes), ctx.gate) as advance:
            def on_facts(facts: Facts) -> None:
                advance(facts)
                if store:
                    _store_call(store.add_facts, result.scan_id, facts)

            result = run_scan(result, probes, ruleset, ctx, on_facts=on_facts, runner=runner)
    except KeyboardInterrupt:
        from scanner.store import INTERRUPTED

        if store:
            _store_call(store.finish_scan, result, INTERRUPTED)
            _fail(f"interrupted ({stop.signal_name}); finished observations are saved. Resume with: "
                  f"pindai scan --resume {result.scan_id} / dilanjutkan dengan perintah tersebut", EXIT_INTERRUPTED)
        _fail(f"interrupted ({stop.signal_name}); nothing was saved (--no-store)", EXIT_INTERRUPTED)
    if suppressions:
        result = suppressions.apply(result)
    if baseline:
        from scanner.diff import with_baseline

        result = with_baseline(result, baseline_fps)
    previous = None
    if store:
        _store_call(store.finish_scan, result)
        previous = _previous_scan(store, result)
    lang = lang or (loaded.spec.lang if loaded else "id")
    threshold = fail_on or (loaded.spec.thresholds.fail_on if loaded else "none")
    result = _with_severities(result, severities)
    _emit(result, ruleset, fmt, lang, {k.removeprefix("out_"): v for k, v in files.items()}, previous)
    sys.exit(exit_code(result, threshold, baseline_fps))


def _read_targets_file(handle: TextIO) -> list[str]:
    """Targets of a ``--targets-file``: one per line, blank lines and ``#`` comments ignored."""
    found = [kept for line in handle if (kept := _COMMENT.sub("", line).strip())]
    if not found:
        _fail(f"{handle.name}: no targets in the file / tidak ada target di berkas")
    return found


def _with_severities(result: ScanResult, severities: frozenset[str] | None) -> ScanResult:
    """The findings to show and write (``--severity``); the store already has every finding."""
    if severities is None:
        return result
    return replace(result, findings=[f for f in result.findings if f.severity.value in severities])


def _without_rules(ruleset: RuleSet, excluded: tuple[str, ...]) -> RuleSet:
    """``ruleset`` minus the ``--exclude-rule`` ids; an unknown id is a usage error."""
    if not excluded:
        return ruleset
    wanted = {rule_id.upper() for rule_id in excluded}
    unknown = sorted(wanted - {r.id for r in ruleset.rules})
    if unknown:
        _fail(f"--exclude-rule: no rule {', '.join(unknown)}; see `pindai rules list`")
    return replace(ruleset, rules=[r for r in ruleset.rules if r.id not in wanted], source=None)


def _targets_and_context(
    targets: tuple[str, ...], profile: Path | None, overrides: dict[str, Any]
) -> tuple[Profile | None, list[Target], ProbeContext]:
    """Targets and probe context from a profile, or from TARGET strings with their hosts as scope.

    ``overrides`` (--concurrency, --rate, --timeout) replace the profile's politeness values.
    """
    if profile:
        from scanner.profile import ProfileError, load_profile

        try:
            loaded = load_profile(profile)
        except ProfileError as exc:
            _fail(str(exc))
        policy = replace(loaded.politeness, **overrides)
        return loaded, loaded.targets, ProbeContext(gate=HostGate(policy), scope=loaded.scope)
    try:
        target_list = [parse_target(t) for t in targets]
    except TargetError as exc:
        _fail(str(exc))
    return None, target_list, _command_line_context(target_list, overrides)


def _command_line_context(targets: list[Target], overrides: dict[str, Any]) -> ProbeContext:
    return ProbeContext(gate=HostGate(PolitenessPolicy(**overrides)), scope=Scope(_hosts(targets)))


def _resumed(store: Store | None, resume: str) -> ScanResult:
    """The stored, unfinished scan to complete (``latest`` or a scan id)."""
    if store is None:
        _fail("--resume needs the history store (drop --no-store)")
    scan_id = store.latest_unfinished() if resume == "latest" else resume
    if not scan_id:
        _fail("no unfinished scan to resume / tidak ada pemindaian yang terputus")
    result = _stored_result(store, scan_id)
    click.echo(f"resuming scan {result.scan_id}: {len(result.facts)} observation(s) already stored", err=True)
    return result


def _pending(result: ScanResult, probes: list[Probe]) -> list[tuple[str, str]]:
    """(target id, probe) pairs still to observe."""
    done = {(f.target_id, f.probe) for f in result.facts}
    return [(t.id, p.name) for t in result.targets for p in probes if p.applies_to(t) and (t.id, p.name) not in done]


def _hosts(targets: list[Target]) -> tuple[str, ...]:
    return tuple(sorted({t.host for t in targets if t.host}))


class _InterruptGuard:
    """Turn SIGTERM into KeyboardInterrupt for the duration of a scan, remembering which signal came."""

    def __init__(self) -> None:
        self.signal_name = "SIGINT"
        self._previous: Any = None

    def _handle(self, signum: int, frame: Any) -> None:
        self.signal_name = signal.Signals(signum).name
        raise KeyboardInterrupt

    def __enter__(self) -> _InterruptGuard:
        self._previous = signal.signal(signal.SIGTERM, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        signal.signal(signal.SIGTERM, self._previous)


def _load_suppressions(path: Path | None) -> Suppressions | None:
    if path is None:
        return None
    from scanner.suppressions import SuppressionError, load_suppressions

    try:
        return load_suppressions(path)
    except SuppressionError as exc:
        _fail(str(exc))


def _open_store(url: str | None) -> Store:
    from scanner.store import Store, StoreError

    try:
        return Store(url)
    except StoreError as exc:
        _fail(str(exc))


def _store_call(method: Callable[..., None], *args: Any) -> None:
    from scanner.store import StoreError

    try:
        method(*args)
    except StoreError as exc:
        click.echo(f"warning: {exc}", err=True)


def _previous_scan(store: Store, result: ScanResult) -> ScanResult | None:
    from scanner.store import StoreError

    try:
        return store.previous(result)
    except StoreError as exc:
        click.echo(f"warning: no trend: {exc}", err=True)
        return None


def _stored_result(store: Store, scan_id: str) -> ScanResult:
    from scanner.store import StoreError

    try:
        return store.load(scan_id)
    except StoreError as exc:
        _fail(str(exc))


def _warn_duplicates(targets: list[Target]) -> None:
    seen: set[str] = set()
    for target in targets:
        if target.id in seen:
            click.echo(f"warning: target {target.id} is listed twice", err=True)
        seen.add(target.id)


@main.command()
@click.argument("result_file", metavar="RESULT")
@rules_options
@click.option("--previous", default=None, metavar="RESULT",
              help="Earlier scan (JSON file or stored scan id) for the HTML trend section.")
@click.option("--store", "store_url", default=None, help="History store URL for scan ids.")
@_output_options
def report(result_file: str, rules_path: RulePaths, previous: str | None, store_url: str | None, fmt: str,
           lang: str | None, **files: Path | None) -> None:
    """Re-render reports from a JSON result or a stored scan id, without rescanning.

    Buat ulang laporan dari hasil JSON atau pemindaian tersimpan tanpa memindai ulang.
    """
    ruleset = _load_ruleset(rules_path)
    result = _result_ref(result_file, store_url)
    earlier = _result_ref(previous, store_url) if previous else None
    _emit(result, ruleset, fmt, lang or "id", {k.removeprefix("out_"): v for k, v in files.items()}, earlier)


@main.command()
@click.argument("result_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@rules_options
@click.option("--fail-on", type=click.Choice(SEVERITIES), default="none", show_default=True,
              help="Exit 1 when a finding is at or above this severity.")
@_output_options
def rejudge(result_file: Path, rules_path: RulePaths, fail_on: str, fmt: str, lang: str | None,
            **files: Path | None) -> None:
    """Re-evaluate the stored facts of a JSON result under the current rules.

    Nilai ulang fakta tersimpan dengan aturan terkini, tanpa memindai ulang.
    """
    from scanner.scan import judged

    ruleset = _load_ruleset(rules_path)
    result = judged(_read_result(result_file), ruleset)
    _emit(result, ruleset, fmt, lang or "id", {k.removeprefix("out_"): v for k, v in files.items()})
    sys.exit(exit_code(result, fail_on))


@main.command()
@click.option("--store", "store_url", default=None,
              help="History store URL (default: $PINDAI_STORE or the user store).")
@click.option("--limit", default=20, show_default=True, help="How many recent scans to list.")
def history(store_url: str | None, limit: int) -> None:
    """List recent scans in the history store. / Daftar pemindaian terakhir."""
    store = _open_store(store_url)
    scans = _history(store, limit)
    if not scans:
        click.echo("no scans in the history store yet; run `pindai scan` first / "
                   "belum ada pemindaian di penyimpanan riwayat; jalankan `pindai scan` dahulu")
        return
    for s in scans:
        label = f"profile={s.profile!r}  " if s.profile else ""
        shown = ", ".join(s.target_ids[:3]) + (f" (+{len(s.target_ids) - 3})" if len(s.target_ids) > 3 else "")
        click.echo(f"{s.scan_id}  {s.started_at}  {s.status:<11} open_findings={s.findings:<4} {label}targets={shown}")


def _history(store: Store, limit: int) -> list[Any]:
    from scanner.store import StoreError

    try:
        return store.history(limit)
    except StoreError as exc:
        _fail(str(exc))


@main.command()
@click.argument("before")
@click.argument("after")
@click.option("--store", "store_url", default=None, help="History store URL for scan ids.")
@click.option("--lang", type=click.Choice(["id", "en"]), default="id")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def diff(before: str, after: str, store_url: str | None, lang: str, fmt: str) -> None:
    """Compare two scans (JSON result files or stored scan ids): new, fixed, persisting.

    Bandingkan dua pemindaian: temuan baru, sudah diperbaiki, dan masih ada.
    """
    from scanner.diff import diff_scans
    from scanner.report.escape import terminal_text

    result = diff_scans(_result_ref(before, store_url), _result_ref(after, store_url))
    groups = {"new": result.new, "fixed": result.fixed, "persisting": result.persisting,
              "unverified": result.unverified}
    if fmt == "json":
        click.echo(json.dumps({k: [f.to_dict() for f in v] for k, v in groups.items()}, indent=2, ensure_ascii=False))
        return
    labels = {"new": "baru", "fixed": "diperbaiki", "persisting": "masih ada", "unverified": "tidak diperiksa ulang"}
    for name, findings in groups.items():
        click.echo(f"{name if lang == 'en' else labels[name]}: {len(findings)}")
        for f in findings:
            click.echo(terminal_text(f"  {f.severity.value:<8} {f.rule_id:<14} {f.target_id}  {f.message[lang]}"))


def _result_ref(ref: str, store_url: str | None) -> ScanResult:
    """A JSON result file path, or a scan id in the history store."""
    if Path(ref).is_file():
        return _read_result(Path(ref))
    if ref.lower().endswith(".json") or "/" in ref or "\\" in ref:
        _fail(f"result file not found: {ref} / berkas hasil tidak ditemukan")
    return _stored_result(_open_store(store_url), ref)


@main.group()
def rules() -> None:
    """List, show and validate rule packs. / Daftar, tampilkan dan validasi aturan."""


@rules.command("list")
@rules_options
@click.option("--lang", type=click.Choice(["id", "en"]), default="id")
def rules_list(rules_path: RulePaths, lang: str) -> None:
    """List every rule: id, severity, probe and title."""
    for rule in _load_ruleset(rules_path).rules:
        spec = rule.spec
        click.echo(f"{spec.id:<14} {spec.severity.value:<8} {spec.probe:<9} {getattr(spec.title, lang)}")


@rules.command("show")
@click.argument("rule_id")
@rules_options
@click.option("--lang", type=click.Choice(["id", "en"]), default="id")
def rules_show(rule_id: str, rules_path: RulePaths, lang: str) -> None:
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
@click.option("--examples", "examples_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Directory of <probe>.json example facts (default: the shipped docs/facts/examples).")
def rules_validate(path: Path | None, examples_dir: Path | None) -> None:
    """Validate rule packs (default: the shipped ones) and evaluate each rule on example facts of its probe.

    Exit 2 naming file, rule and field, or the rule and example it cannot be evaluated on.
    """
    from scanner.rulecheck import example_failures

    ruleset = _load_ruleset(path)
    failures, missing = example_failures(ruleset, examples_dir)
    for probe in missing:
        click.echo(f"warning: no example facts for probe {probe!r}; its rules were not evaluated", err=True)
    for failure in failures:
        rule = ruleset.by_id(failure.rule_id)
        click.echo(f"error: {rule.file if rule else ''} {failure}", err=True)
    if failures:
        _fail(f"{len(failures)} rule evaluation error(s) / aturan gagal dievaluasi")
    click.echo(f"{len(ruleset.rules)} rules OK ({ruleset.version}), evaluated on example facts")


main.add_command(daemon)
main.add_command(worker)
