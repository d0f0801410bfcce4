"""``pindai scan``: observe targets, judge them, store and report the scan."""

from __future__ import annotations

import logging
import re
import sys
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from scanner.commands.common import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_SCAN_ERROR,
    SeverityChoice,
    check_outputs,
    counted,
    emit,
    exit_code,
    fail,
    load_ruleset,
    open_store,
    output_options,
    read_result,
    severity_name,
    stored_result,
)
from scanner.commands.options import ProbeName, RulePaths, rules_options
from scanner.commands.progress import ScanTally, closing_line, scan_progress
from scanner.model import ScanResult, Severity, Target, TargetKind
from scanner.probes.base import Probe, ProbeContext
from scanner.running.interrupts import SigtermGuard
from scanner.running.politeness import HostGate, PolitenessPolicy
from scanner.running.scope import Scope
from scanner.targets import TargetError, parse_target

if TYPE_CHECKING:  # heavy modules (pydantic, SQLAlchemy, CEL) load inside the commands that need them
    from scanner.history.durable import ScanWriter
    from scanner.history.store import Store
    from scanner.inventory import Inventory
    from scanner.judging.rules import RuleSet
    from scanner.judging.suppressions import Suppressions
    from scanner.profile import Profile
    from scanner.running.scanrun import ScanRun


def _severity_list(_ctx: click.Context, _param: click.Parameter, value: str | None) -> frozenset[str] | None:
    if value is None:
        return None
    words = [v for v in value.split(",") if v.strip()]
    chosen = frozenset(severity_name(v) for v in words)
    if not words or not chosen <= {s.value for s in Severity}:
        raise click.BadParameter(f"use a comma-separated list of {', '.join(s.value for s in Severity)} "
                                 "(or kritis, tinggi, sedang, rendah, informasi)")
    return frozenset(str(c) for c in chosen)


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
        if not re.fullmatch(r"[\t\x20-\x7e\xa0-\xff]*", content):  # what HTTP/1.1 (latin-1, no controls) can carry
            raise click.BadParameter(f"{name.strip()!r}: the value holds a character HTTP headers cannot carry "
                                     "(control character or outside Latin-1) / nilai memuat karakter yang tidak "
                                     "dapat dikirim dalam header HTTP")
        headers.append((name.strip(), content.strip()))
    return tuple(headers)


@click.command(epilog="Exit codes: 0 clean; 1 findings at or above --fail-on; 2 usage or configuration error; "
                     "3 a target or probe was inconclusive, an observation was cut short by a cap, a rule "
                     "could not be evaluated, or an observation is not in the history store yet (resume with "
                     "--resume); 4 a report file could not be written; 5 internal error (the scan is stored "
                     "as failed); 130 interrupted (resume with --resume).")
@click.argument("targets", nargs=-1)
@click.option("--profile", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="TOML scan profile (targets, agencies, scope, politeness, thresholds).")
@rules_options
@click.option("--probe", "probe_names", multiple=True, type=ProbeName(),
              help="Run only these probes (repeatable).")
@click.option("--fail-on", type=SeverityChoice(), default=None,
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
@click.option("--changed-only", is_flag=True,
              help="Database targets: sample only columns that are new or changed (name, type) since the last "
              "complete scan in the store; carry the other columns' verdicts forward, marked as such.")
@click.option("--concurrency", type=click.IntRange(1, 64), default=None,
              help="Connections at a time per service, host and port (default 5, or the profile's); lowered "
              "automatically while the service answers 429/503 or times out.")
@click.option("--rate", type=click.FloatRange(0, 1000), default=None,
              help="Fixed cap on HTTP requests per second per service (default: none, adaptive back-off only).")
@click.option("--global-rate", type=click.FloatRange(0, 10000), default=None,
              help="Cap on requests per second across all targets and services together, besides the "
              "per-service limits (default: none).")
@click.option("--timeout", type=click.FloatRange(0.1, 300), default=None,
              help="Network timeout in seconds per connection or request (default 10, or the profile's).")
@click.option("--max-time", type=click.FloatRange(1, 7 * 86400), default=None, metavar="SECONDS",
              help="Wall-clock limit for the whole scan: observations still running then are stopped and marked "
              "partial (exit 3). Each request (headers included) is limited to 3 x --timeout, each probe on a "
              "target to 30 min and all probes of a target to 60 min.")
@click.option("--processes", type=click.IntRange(1, 64), default=None,
              help="Observe in N worker processes sharded by host (default: every core, up to 8, "
              "when there are 20 or more targets).")
@click.option("--distributed", is_flag=True,
              help="Observe through `pindai worker --zone` workers ($PINDAI_BROKER_URL); see docs/distributed.md.")
@click.option("-l", "--targets-file", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
              help="Read targets from FILE: an inventory (CSV or XLSX with a header row: target, "
              "perangkat_daerah/agency, nama_aplikasi/name, exposure, zone, email, criticality; other columns "
              "are labels) or one target per line ('#' starts a comment; '-' is standard input).")
@click.option("--severity", "severities", callback=_severity_list, metavar="LIST",
              help="Show and write only findings of these severities, e.g. critical,high "
              "(the history store keeps every finding).")
@click.option("--exclude-rule", "excluded_rules", multiple=True, metavar="ID",
              help="Do not run this rule (repeatable).")
@click.option("--proxy", callback=_proxy_url, metavar="URL",
              help="Send HTTP(S) requests (http and auth probes) through this proxy (http://host:port); the tls and "
              "database probes connect directly. Environment proxies are never used.")
@click.option("--header", "headers", multiple=True, callback=_header_list, metavar="'NAME: value'",
              help="Add this header to HTTP requests to each target's own origin (scheme, host, port) only; it is "
              "treated as a credential: never sent to other hosts or ports, nor over HTTPS whose certificate "
              "did not verify (unless the target sets verify_tls = false) (repeatable).")
@click.option("--user-agent", default=None,
              help="User-Agent for HTTP requests (default: a current browser's; the cloaking check still "
              "compares a browser's and Googlebot's view).")
@click.option("--git-history", default=None, is_flag=False, flag_value="", metavar="[SINCE]",
              help="Source targets: also look for secrets in the lines every commit added (only since commit SINCE "
                   "if given) / cari juga rahasia di riwayat git.")
@click.option("--operator", default=None, help="Who runs the scan, for the workpaper (overrides [audit] operator).")
@click.option("--authorisation", default=None, metavar="REF",
              help="Authorisation reference, e.g. the surat tugas number (overrides [audit] authorisation).")
@output_options
def scan(targets: tuple[str, ...], profile: Path | None, rules_path: RulePaths, probe_names: tuple[str, ...],
         fail_on: str | None, baseline: Path | None, suppressions_path: Path | None, store_url: str | None,
         no_store: bool, resume: str | None, changed_only: bool, concurrency: int | None, rate: float | None,
         global_rate: float | None, timeout: float | None, max_time: float | None, processes: int | None,
         distributed: bool, targets_file: Path | None,
         severities: frozenset[str] | None, excluded_rules: tuple[str, ...], proxy: str | None,
         headers: tuple[tuple[str, str], ...], user_agent: str | None, git_history: str | None,
         operator: str | None, authorisation: str | None, fmt: str, lang: str | None,
         **files: Path | None) -> None:
    """Scan TARGETS (URLs, bare hosts, database URLs, .sql files, source files or directories) or a --profile.

    Pindai TARGET (URL, nama host, URL basis data, berkas .sql, berkas atau direktori kode sumber) atau --profile.
    """
    inventory = _read_targets_file(targets_file) if targets_file is not None else None
    from scanner.probes import load_probes
    from scanner.running.scan import executor_for, new_scan

    if bool(targets or inventory) == bool(profile) and not resume:
        fail("give either TARGET... or --profile FILE / berikan TARGET... atau --profile FILE")
    check_outputs({k.removeprefix("out_"): v for k, v in files.items()})
    executor = executor_for(distributed, processes)  # before anything is stored: a missing extra stops here
    full_ruleset = load_ruleset(rules_path)
    ruleset = _without_rules(full_ruleset, excluded_rules)
    baseline_fps = {f.fingerprint for f in read_result(baseline).findings} if baseline else set()
    store = None if no_store else open_store(store_url)
    overrides = {k: v for k, v in {"per_host_concurrency": concurrency, "requests_per_second": rate,
                                   "timeout_s": timeout, "global_rate": global_rate}.items() if v is not None}
    loaded, target_list, ctx = _targets_and_context(targets, profile, overrides, inventory.targets if inventory else [])
    problems = _warn_not_scanned([*(inventory.problems if inventory else []),
                                  *(loaded.inventory_problems if loaded else [])])
    ctx = replace(ctx, proxy=proxy or ctx.proxy, headers=headers, user_agent=user_agent)
    suppressions = _load_suppressions(suppressions_path) or (loaded.suppressions if loaded else None)
    if suppressions and (unknown := suppressions.unknown_rules({r.id for r in full_ruleset.rules})):
        fail("\n".join(unknown))
    probes = load_probes(list(probe_names) or None)
    lang = lang or (loaded.spec.lang if loaded else "id")
    target_list = _prepared(target_list, probes, probe_names, git_history, distributed, ctx, lang)
    if changed_only:
        ctx = replace(ctx, previous=_previous_observations(store, target_list))
    if resume:
        run = _resumed(store, resume)
        if not target_list:
            ctx = _command_line_context(run.result.targets, overrides)
    else:
        _warn_duplicates(target_list)
        result = new_scan(target_list, ruleset, loaded.summary() if loaded else {})
        result.profile["audit"] = _audit(loaded, operator, authorisation, probes, ctx, target_list)
        run = _begun(store, result)
    ctx = replace(ctx, max_time_s=max_time)
    stop = SigtermGuard()  # SIGTERM stops the scan as Ctrl-C does
    further = partial(_judged_further, suppressions=suppressions, loaded=loaded,
                      baseline_fps=baseline_fps if baseline else None)
    try:
        with stop, scan_progress(tally := ScanTally.planned(run.result, probes), ctx.gate, lang) as advance:
            status = run.run(probes, ruleset, ctx, executor, on_facts=advance, finishing=further)
    except KeyboardInterrupt:
        _interrupted(stop.signal_name, run)
    except Exception as exc:  # a Pindai bug: keep what was observed, say so, never the findings code
        _internal_error(exc, _failed(run))
    result = run.result
    stored, previous = _finished(store, run, status)
    threshold = fail_on or (loaded.spec.thresholds.fail_on if loaded else "none")
    result = _with_severities(result, severities)
    try:
        emit(result, ruleset, fmt, lang, {k.removeprefix("out_"): v for k, v in files.items()}, previous)
    except Exception as exc:  # a rendering bug: the scan itself is stored as it is
        _internal_error(exc, f"the scan is stored; pindai report {result.scan_id} renders it again" if run.writer
                        else "nothing was saved (--no-store)")
    click.echo(closing_line(result, tally.elapsed(), lang, _outputs(fmt, files, lang), _kept(store, run, stored, lang)),
               err=True)
    code = exit_code(result, threshold, baseline_fps)
    sys.exit(EXIT_SCAN_ERROR if code == EXIT_OK and (problems or not stored) else code)


def _prepared(targets: list[Target], probes: list[Probe], probe_names: tuple[str, ...], git_history: str | None,
              distributed: bool, ctx: ProbeContext, lang: str) -> list[Target]:
    """The targets as the probes will see them: options from the command line, plain-HTTP ports found,
    only those the chosen probes apply to."""
    if git_history is not None:
        targets = _with_git_history(targets, git_history)
    _ready_for(targets, probes, distributed)
    if not distributed:  # the first traffic; a worker in the target's zone may reach it, this machine may not
        targets = _plain_http_ports(targets, probes, ctx, lang)
    return _applicable(targets, probes, probe_names) if probe_names else targets


def _judged_further(result: ScanResult, suppressions: Any, loaded: Any, baseline_fps: set[str] | None) -> ScanResult:
    """Suppressions (the file's and inline ``# nosec``) and the baseline applied to the judged scan."""
    from scanner.running.scanrun import accepted_risks

    result = accepted_risks(result, suppressions, not (loaded and loaded.spec.ignore_inline_suppressions))
    if baseline_fps is not None:
        from scanner.history.diff import with_baseline

        result = with_baseline(result, baseline_fps)
    return result


def _audit(loaded: Any, operator: str | None, authorisation: str | None, probes: list[Probe], ctx: ProbeContext,
           targets: list[Target]) -> dict[str, Any]:
    """The workpaper record of a new scan: who, under which authorisation, how."""
    from scanner.audit import audit_record

    return audit_record(loaded.spec.audit.model_dump() if loaded else {}, operator, authorisation,
                        [p.name for p in probes], ctx.gate.policy,
                        any(t.options.get("auth") or t.password_env for t in targets))


def _warn_not_scanned(problems: list[Any]) -> list[Any]:
    """One warning line per inventory row that could not become a target; the rows, for the exit code."""
    for problem in problems:
        click.echo(f"warning: not scanned / tidak dipindai: {problem}", err=True)
    return problems


def _interrupted(signal_name: str, run: ScanRun) -> NoReturn:
    """Exit 130: finished observations are stored (the scan is marked interrupted) unless --no-store."""
    from scanner.history.store import INTERRUPTED

    if run.writer:
        if run.recorded != INTERRUPTED:  # interrupted outside ScanRun.run, which records it itself
            run.end(INTERRUPTED)
        _store_summary(run.writer)
        fail(f"interrupted ({signal_name}); finished observations are saved. Resume with: "
             f"pindai scan --resume {run.result.scan_id} / dilanjutkan dengan perintah tersebut", EXIT_INTERRUPTED)
    fail(f"interrupted ({signal_name}); nothing was saved (--no-store)", EXIT_INTERRUPTED)


def _finished(store: Store | None, run: ScanRun, status: str) -> tuple[bool, ScanResult | None]:
    """After the scan's end was recorded as ``status``: (whether it was recorded complete, the previous
    complete scan for the trend)."""
    if not (store and run.writer):
        return True, None
    from scanner.history.store import COMPLETE

    _store_summary(run.writer)
    stored = status == COMPLETE
    return stored, (_previous_scan(store, run.result) if stored else None)


def _begun(store: Store | None, result: ScanResult) -> ScanRun:
    """The new scan, recorded as running (unless --no-store); a store that refuses that is a configuration
    error (nothing scanned)."""
    from scanner.history.store import StoreError
    from scanner.running.scanrun import ScanRun

    try:
        return ScanRun.begin(store, result)
    except StoreError as exc:
        fail(f"{exc}; nothing was scanned / tidak ada yang dipindai")


def _store_summary(writer: ScanWriter) -> None:
    if line := writer.summary():
        click.echo(f"pindai: {line}", err=True)
    elif writer.error:  # everything is stored, but recording the scan's end failed
        click.echo(f"pindai: the scan's end is not recorded in the history store ({writer.error}); "
                   f"pindai scan --resume {writer.scan_id} records it", err=True)


def _failed(run: ScanRun) -> str:
    """Mark the scan failed (its observations are stored); what was kept, for the error line."""
    from scanner.history.store import FAILED

    if not run.writer:
        return "nothing was saved (--no-store)"
    run.end(FAILED)
    _store_summary(run.writer)
    return f"the scan is stored as failed with its observations; pindai scan --resume {run.result.scan_id} tries again"


def _internal_error(exc: Exception, kept: str) -> NoReturn:
    """One line for a Pindai bug (the traceback with -vv), exit ``EXIT_INTERNAL``."""
    logging.getLogger(__name__).debug("internal error", exc_info=exc)
    fail(f"internal error: {type(exc).__name__}: {exc}; {kept} (run with -vv for the traceback and please "
         f"report it) / galat internal Pindai", EXIT_INTERNAL)


def _previous_observations(store: Store | None, targets: list[Target]) -> dict[str, dict[str, dict[str, Any]]]:
    """``--changed-only``: the latest complete observation of each target by each probe that uses it."""
    from scanner.history.store import StoreError
    from scanner.probes import specs

    if store is None:
        fail("--changed-only needs the history store (drop --no-store)")
    users = [spec for spec in specs().values() if spec.uses_previous]
    found: dict[str, dict[str, dict[str, Any]]] = {}
    for target in targets:
        for spec in (s for s in users if target.kind in s.target_kinds):
            try:
                previous = store.latest_facts(target.id, spec.name)
            except StoreError as exc:
                click.echo(f"warning: --changed-only: {exc}; observing {target.id} in full", err=True)
                continue
            if previous:
                found.setdefault(target.id, {})[spec.name] = previous
    return found


def _plain_http_ports(targets: list[Target], probes: list[Probe], ctx: ProbeContext, lang: str) -> list[Target]:
    """Bare ``host:port`` targets (asset lists from nmap) that a probe will scan and whose port answers a
    TLS hello with plain HTTP are observed as ``http://host:port/``, with a note; every other target is
    kept as given."""
    from concurrent.futures import ThreadPoolExecutor
    from urllib.parse import urlsplit

    from scanner.net.sniff import answers_plain_http
    from scanner.targets import BARE_HOST_PORT

    def checked(target: Target) -> Target:
        parts = urlsplit(target.location)
        host, port = parts.hostname or "", parts.port or 443
        wanted = target.options.get(BARE_HOST_PORT) and ctx.scope.allows(host) and any(
            p.applies_to(target) for p in probes)
        if not wanted or not answers_plain_http(host, port, ctx.timeout, ctx.gate):
            return target
        url = f"http://{parts.netloc}/"
        note = {"id": f"{parts.netloc} menjawab HTTP biasa, bukan TLS: dipindai sebagai {url}",
                "en": f"{parts.netloc} answers plain HTTP, not TLS: scanned as {url}"}
        click.echo(f"note: {note[lang]}", err=True)
        return replace(target, location=url, options={**target.options, "scheme_note": note})

    if not any(t.options.get(BARE_HOST_PORT) for t in targets):
        return targets
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(checked, targets))


def _applicable(targets: list[Target], probes: list[Probe], names: tuple[str, ...]) -> list[Target]:
    """``--probe X``: only the targets X applies to (a mixed profile's URLs are not partial results of a
    database-only scan); the others are named on standard error. None at all is a usage error."""
    kept = [t for t in targets if any(p.applies_to(t) for p in probes)]
    chosen = ", ".join(names)
    if targets and not kept:
        fail(f"--probe {chosen} applies to none of the targets / tidak berlaku untuk target mana pun")
    if len(kept) < len(targets):
        click.echo(f"note: --probe {chosen}: skipped {len(targets) - len(kept)} target(s) it does not apply to / "
                   f"{len(targets) - len(kept)} target dilewati karena probe itu tidak berlaku", err=True)
    return kept


def _ready_for(targets: list[Target], probes: list[Probe], distributed: bool) -> None:
    """Exit 2 before any scanning when a database driver extra (the command group says so) or a
    credential variable is missing."""
    from scanner.running.credentials import MissingCredential, check_ready

    try:
        check_ready(targets, probes, distributed)
    except MissingCredential as exc:
        fail(str(exc))


def _with_git_history(targets: list[Target], since: str) -> list[Target]:
    """Source targets with the code probe's ``git_history`` option (True, or the commit to start after)."""
    if since.startswith("-"):
        fail(f"--git-history: {since!r} is not a commit / bukan commit")
    return [replace(t, options={**t.options, "git_history": since or True}) if t.kind is TargetKind.SOURCE else t
            for t in targets]


def _read_targets_file(path: Path) -> Inventory:
    """The inventory of a ``--targets-file`` (``-``: standard input); a file with no target is a usage error."""
    from scanner.inventory import InventoryError, parse_inventory_text, read_inventory

    try:
        found = parse_inventory_text(sys.stdin.read(), "<stdin>") if str(path) == "-" else read_inventory(path)
    except InventoryError as exc:
        fail(str(exc))
    for problem in found.problems if not found.targets else []:
        click.echo(f"error: {problem}", err=True)
    if not found.targets:
        fail(f"{path}: no targets in the file / tidak ada target di berkas")
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
        fail(f"--exclude-rule: no rule {', '.join(unknown)}; see `pindai rules list`")
    return replace(ruleset, rules=[r for r in ruleset.rules if r.id not in wanted], source=None)


def _targets_and_context(
    targets: tuple[str, ...], profile: Path | None, overrides: dict[str, Any], listed: list[Target]
) -> tuple[Profile | None, list[Target], ProbeContext]:
    """Targets and probe context from a profile, or from TARGET strings and ``listed`` (``-l``) targets
    with their hosts as scope.

    ``overrides`` (--concurrency, --rate, --timeout) replace the profile's politeness values.
    """
    if profile:
        from scanner.profile import ProfileError, load_profile

        try:
            loaded = load_profile(profile)
        except ProfileError as exc:
            fail(str(exc))
        policy = replace(loaded.politeness, **overrides)
        return loaded, loaded.targets, ProbeContext(gate=HostGate(policy), scope=loaded.scope)
    try:
        target_list = [parse_target(t) for t in targets] + listed
    except TargetError as exc:
        fail(str(exc))
    return None, target_list, _command_line_context(target_list, overrides)


def _command_line_context(targets: list[Target], overrides: dict[str, Any]) -> ProbeContext:
    return ProbeContext(gate=HostGate(PolitenessPolicy(**overrides)), scope=Scope(_hosts(targets)))


def _resumed(store: Store | None, resume: str) -> ScanRun:
    """The stored, unfinished scan to complete (``latest`` or a scan id), with what an earlier run
    spooled written to the store first."""
    from scanner.history.store import StoreError
    from scanner.running.scanrun import ScanRun

    if store is None:
        fail("--resume needs the history store (drop --no-store)")
    scan_id = store.latest_unfinished() if resume == "latest" else resume
    if not scan_id:
        fail("no unfinished scan to resume / tidak ada pemindaian yang terputus")
    try:
        run, spooled = ScanRun.reopen(store, stored_result(store, scan_id))
    except StoreError as exc:
        fail(str(exc))
    assert run.writer is not None
    if spooled:
        written = counted(spooled - run.writer.unstored, "spooled observation")
        click.echo(f"{written} written to the history store", err=True)
    if run.writer.unstored:
        fail(run.writer.summary(), EXIT_SCAN_ERROR)
    click.echo(f"resuming scan {run.result.scan_id}: {counted(len(run.result.facts), 'observation')} already stored",
               err=True)
    return run


def _outputs(fmt: str, files: dict[str, Path | None], lang: str) -> list[str]:
    """Where the scan's report went, for the closing line: standard output, then every file written."""
    from scanner.report.common import strings

    return [strings(lang)["progress_stdout"].format(fmt=fmt), *(str(p) for p in files.values() if isinstance(p, Path))]


def _kept(store: Store | None, run: ScanRun, stored: bool, lang: str) -> str:
    """Where the scan is kept, for the closing line: the store (password hidden) and the scan id."""
    from scanner.report.common import strings

    s = strings(lang)
    if store is None or run.writer is None:
        return s["progress_not_stored"]
    return s["progress_stored" if stored else "progress_not_complete"].format(store=store.display_url,
                                                                             scan_id=run.result.scan_id)


def _hosts(targets: list[Target]) -> tuple[str, ...]:
    return tuple(sorted({t.host for t in targets if t.host}))


def _load_suppressions(path: Path | None) -> Suppressions | None:
    if path is None:
        return None
    from scanner.judging.suppressions import SuppressionError, load_suppressions

    try:
        return load_suppressions(path)
    except SuppressionError as exc:
        fail(str(exc))


def _previous_scan(store: Store, result: ScanResult) -> ScanResult | None:
    from scanner.history.store import StoreError

    try:
        return store.previous(result)
    except StoreError as exc:
        click.echo(f"warning: no trend: {exc}", err=True)
        return None


def _warn_duplicates(targets: list[Target]) -> None:
    seen: set[str] = set()
    for target in targets:
        if target.id in seen:
            click.echo(f"warning: target {target.id} is listed twice", err=True)
        seen.add(target.id)
