"""What the ``pindai`` commands share: exit codes, rule loading, output options and writing, the store."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from scanner.commands.options import RulePaths
from scanner.model import ScanResult, Severity
from scanner.report import FORMATS, renderer
from scanner.report.escape import encodable

if TYPE_CHECKING:  # heavy modules (pydantic, SQLAlchemy, CEL) load inside the commands that need them
    from scanner.history.store import Store
    from scanner.judging.rules import RuleSet

EXIT_OK, EXIT_FINDINGS, EXIT_CONFIG, EXIT_SCAN_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
EXIT_OUTPUT = 4  # a report file could not be written (read-only directory, full disk)
EXIT_INTERNAL = 5  # an internal error (a Pindai bug) stopped the scan; what was observed is stored


SEVERITIES = [s.value for s in Severity] + ["none"]
# the words the Indonesian reports print (strings.yaml sev_*), accepted wherever a severity is asked for
SEVERITY_WORDS = {"kritis": "critical", "tinggi": "high", "sedang": "medium", "rendah": "low", "informasi": "info",
                  "tidak": "none", "tidak-ada": "none"}


def counted(n: int, noun: str) -> str:
    """``1 rule``, ``2 rules``: an English count with the noun in the right number."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def severity_name(word: str) -> str | None:
    """The severity ``word`` names in English or Indonesian (``kritis`` = ``critical``), or None."""
    word = word.strip().lower()
    return word if word in SEVERITIES else SEVERITY_WORDS.get(word)


class SeverityChoice(click.ParamType):
    """A severity in English or Indonesian (``high`` or ``tinggi``), given back in English."""

    name = "severity"

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "[" + "|".join(SEVERITIES) + "]"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        name = severity_name(str(value))
        if name is None:
            self.fail(f"{value!r} is not a severity: use one of {', '.join(SEVERITIES)} "
                      f"(or {', '.join(w for w in SEVERITY_WORDS if '-' not in w)})", param, ctx)
        return name

FILE_OUTPUTS = ("json", "html", "sarif", "junit", "csv", "markdown", "gitlab_sast", "codequality")
FILE_OUTPUT_HELP = {"gitlab_sast": "GitLab SAST report (gl-sast-report.json)",
                    "codequality": "GitLab Code Quality report"}


def fail(message: str, code: int = EXIT_CONFIG) -> NoReturn:
    click.echo(f"pindai: {message}", err=True)
    sys.exit(code)


def load_ruleset(path: Path | RulePaths) -> RuleSet:
    from scanner.judging.regulations import CatalogueError
    from scanner.judging.rules import RuleValidationError, load_rules

    try:
        return load_rules(path)
    except RuleValidationError as exc:
        for error in exc.errors:
            click.echo(f"error: {error}", err=True)
        fail(f"{counted(len(exc.errors), 'rule error')}; nothing was scanned / tidak ada yang dipindai")
    except CatalogueError as exc:
        fail(f"regulation catalogue error: {exc}")


def output_options(func: Any) -> Any:
    for fmt in reversed(FILE_OUTPUTS):
        label = FILE_OUTPUT_HELP.get(fmt, f"{fmt.upper()} report")
        func = click.option(f"--{fmt.replace('_', '-')}", f"out_{fmt}", type=click.Path(dir_okay=False, path_type=Path),
                            help=f"Write the {label} to this file.")(func)
    func = audit_output_options(func)
    func = click.option("--per-agency-dir", "out_per_agency_dir", type=click.Path(file_okay=False, path_type=Path),
                        help="Also write one HTML report per agency (Perangkat Daerah) into this directory.")(func)
    func = click.option("--full-matrix", "full_matrix", is_flag=True, default=None,
                        help="Append the full compliance matrix (every article, also untested, manual and "
                             "context ones) to the HTML report; by default it lists only articles with "
                             "findings or tests.")(func)
    func = click.option("--lang", type=click.Choice(["id", "en"]), default=None,
                        help="Report language: Bahasa Indonesia (id, default) or English (en).")(func)
    func = click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
                        show_default=True, help="What to print on standard output.")(func)
    return verbose_option(func)


def check_outputs(files: dict[str, Any]) -> None:
    """Exit 2 before any scanning when a report could not be written: a folder in the way, or a folder
    that cannot be created or written to (the check creates the folder, as writing would)."""
    import tempfile

    for name, path in files.items():
        if not isinstance(path, Path):  # unset, or a flag such as --full-matrix / --csv-dialect
            continue
        folder = path if name == "per_agency_dir" else path.parent
        try:
            if name != "per_agency_dir" and path.is_dir():
                raise IsADirectoryError(f"{path} is a directory")
            folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=folder, prefix=".pindai-check-"):
                pass
        except OSError as exc:
            reason = exc.strerror or str(exc)
            fail(f"--{name.replace('_', '-')} {path}: cannot write the report there ({reason}); nothing was "
                 f"scanned / laporan tidak dapat ditulis di sana; tidak ada yang dipindai")


def audit_output_options(func: Any) -> Any:
    """The audit-facing outputs: workbook, management summary and PDFs, and the CSV dialect."""
    out = click.Path(dir_okay=False, path_type=Path)
    func = click.option("--csv-dialect", "out_csv_dialect", type=click.Choice(["intl", "id"]), default=None,
                        help="CSV for Indonesian spreadsheets (id: semicolon, decimal comma) or the default "
                             "(intl: comma, decimal point).")(func)
    func = click.option("--summary-pdf", "out_summary_pdf", type=out,
                        help="Write the management summary as PDF (headless Chromium).")(func)
    func = click.option("--pdf", "out_pdf", type=out,
                        help="Write the full HTML report as PDF (headless Chromium).")(func)
    func = click.option("--summary", "out_summary", type=out,
                        help="Write the management summary (HTML, 1-3 A4 pages) to this file.")(func)
    return click.option("--xlsx", "out_xlsx", type=out,
                        help="Write the audit workbook (findings, workpaper rows, control checklist, targets).")(func)


def _emit_audit(result: ScanResult, ruleset: RuleSet, lang: str, files: dict[str, Any],
                previous: ScanResult | None, full_matrix: bool) -> None:
    """Write the workbook, the summary and the PDFs that ``files`` asks for (PDFs last: they need Chromium)."""
    if files.get("xlsx"):
        from scanner.report.xlsx import write_xlsx

        click.echo(f"wrote {write_xlsx(result, ruleset, lang, files['xlsx'])}", err=True)
    if files.get("summary"):
        from scanner.report.management import write_summary

        click.echo(f"wrote {write_summary(result, ruleset, files['summary'], lang, previous)}", err=True)
    pages = []
    if files.get("pdf"):
        from scanner.report.html import render_with_history

        pages.append((files["pdf"], lambda: render_with_history(result, ruleset, lang, previous, full_matrix)))
    if files.get("summary_pdf"):
        from scanner.report.management import render_summary

        pages.append((files["summary_pdf"], lambda: render_summary(result, ruleset, lang, previous)))
    for path, page in pages:
        from scanner.report.pdf import PdfError, print_pdf

        try:
            click.echo(f"wrote {print_pdf(encodable(page()), path)}", err=True)
        except PdfError as exc:
            fail(str(exc))


def emit(result: ScanResult, ruleset: RuleSet, fmt: str, lang: str, files: dict[str, Path | None],
          previous: ScanResult | None = None) -> None:
    """Write every requested file, then print ``fmt`` and the coverage notes (on stderr).

    Files come first: nothing a target put into the terminal view can stop them being written.
    Each is written atomically; one that cannot be written (read-only directory, full disk) is one
    line on stderr, the others are still written, and the command then exits ``EXIT_OUTPUT``.
    The HTML report shows the trend against ``previous``.
    """
    from scanner.report.files import write_atomic
    from scanner.running.scan import with_applicability

    result = with_applicability(result, ruleset)
    files = dict(files)
    full_matrix = bool(files.pop("full_matrix", None))
    audit_files = {name: files.pop(name, None) for name in ("xlsx", "summary", "pdf", "summary_pdf")}
    dialect = str(files.pop("csv_dialect", None) or "intl")
    per_agency_dir = files.pop("per_agency_dir", None)
    failed = 0
    if per_agency_dir is not None:
        from scanner.report.agencies import write_per_agency

        try:
            for written in write_per_agency(result, ruleset, lang, per_agency_dir):
                click.echo(f"wrote {written}", err=True)
        except OSError as exc:
            failed += _write_failed(per_agency_dir, exc)
    for name, path in files.items():
        if path is None:
            continue
        if name not in FORMATS:
            fail(f"--{name} output is not available in this version")
        if name == "html":
            from scanner.report.html import render_with_history

            text = render_with_history(result, ruleset, lang, previous, full_matrix)
        elif name == "csv":
            from scanner.report.csv_report import render_dialect

            text = render_dialect(result, ruleset, lang, dialect)
        else:
            text = renderer(name)(result, ruleset, lang)
        try:
            write_atomic(path, encodable(text))
        except OSError as exc:
            failed += _write_failed(path, exc)
            continue
        click.echo(f"wrote {path}", err=True)
    _emit_audit(result, ruleset, lang, audit_files, previous, full_matrix)
    shown = _terminal_table(result, ruleset, lang) if fmt == "table" else renderer(fmt)(result, ruleset, lang)
    click.echo(encodable(shown), nl=False)
    _warn_partial(result, lang)
    if failed:
        sys.exit(EXIT_OUTPUT)


def _write_failed(path: Path, exc: OSError) -> int:
    click.echo(f"pindai: cannot write {path}: {exc.strerror or exc} / laporan tidak dapat ditulis", err=True)
    return 1


def _terminal_table(result: ScanResult, ruleset: RuleSet, lang: str) -> str:
    """The table as wide as the terminal, severities coloured on a terminal unless $NO_COLOR is set;
    piped output is $COLUMNS wide when set (CI logs, ``COLUMNS=80 pindai scan ... | less``), else 140
    columns, without colour."""
    import os
    import shutil

    from scanner.report.table import render

    tty = sys.stdout.isatty()
    width = shutil.get_terminal_size((140, 24)).columns if tty or os.environ.get("COLUMNS", "").isdigit() else 140
    return render(result, ruleset, lang, width=max(40, width), color=tty and not os.environ.get("NO_COLOR"))


def _warn_partial(result: ScanResult, lang: str) -> None:
    """One stderr line per coverage limit and per rule that could not be evaluated."""
    from scanner.report.common import coverage_notes
    from scanner.report.escape import terminal_text

    for note in coverage_notes(result, lang):
        source = f" ({note.source})" if note.kind == "limit" else ""  # an error's text names its rule
        click.echo(terminal_text(f"warning: {note.target_id}{source}: {note.text}"), err=True)
    for entry in (result.profile or {}).get("stale_suppressions", []):
        what = entry.get("rule") or entry.get("fingerprint")
        click.echo(terminal_text(f"warning: {entry.get('source')}: suppression {what} matched no finding (stale?) / "
                                 "pengecualian ini tidak cocok dengan temuan apa pun"), err=True)


def exit_code(result: ScanResult, fail_on: str, baseline: set[str] | None = None) -> int:
    """Apply the documented exit-code contract; findings in ``baseline`` (fingerprints) do not count."""
    if fail_on != "none":
        threshold = Severity(fail_on)
        counted = [f for f in result.open_findings() if f.fingerprint not in (baseline or set())]
        if any(f.severity.at_least(threshold) for f in counted):
            return EXIT_FINDINGS
    return EXIT_OK if result.complete() else EXIT_SCAN_ERROR


RESULT_EXPECTED = ("expected the JSON file `pindai scan --json FILE` writes (an object with scan_id, targets, "
                   "facts and findings) / diharapkan berkas JSON hasil `pindai scan --json`")


def read_result(path: Path) -> ScanResult:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        fail(f"{path}: cannot read: {exc.strerror or exc}")
    except ValueError as exc:
        fail(f"{path}: not a Pindai JSON result: not JSON ({exc}); {RESULT_EXPECTED}")
    missing = [k for k in ("scan_id", "findings") if not isinstance(document, dict) or k not in document]
    if missing:
        fail(f"{path}: not a Pindai JSON result: no {', '.join(missing)}; {RESULT_EXPECTED}")
    try:
        return ScanResult.from_dict(document)
    except (ValueError, KeyError, TypeError) as exc:
        fail(f"{path}: not a Pindai JSON result: {type(exc).__name__} {exc}; {RESULT_EXPECTED}")


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


def open_store(url: str | None) -> Store:
    from scanner.history.store import Store, StoreError

    try:
        return Store(url)
    except StoreError as exc:
        fail(str(exc))


def stored_result(store: Store, scan_id: str) -> ScanResult:
    from scanner.history.store import StoreError

    try:
        return store.load(scan_id)
    except StoreError as exc:
        fail(str(exc))


def result_ref(ref: str, store_url: str | None) -> ScanResult:
    """A JSON result file path, or a scan id in the history store."""
    if Path(ref).is_file():
        return read_result(Path(ref))
    if ref.lower().endswith(".json") or "/" in ref or "\\" in ref:
        fail(f"result file not found: {ref} / berkas hasil tidak ditemukan")
    return stored_result(open_store(store_url), ref)
