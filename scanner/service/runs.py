"""The dated folder of one scheduled run: the full report, one report per agency, and retention.

``<reports.dir>/<YYYY-MM-DD_HHMMSS>_<scan id>/`` (local time of the profile's schedule) holds
``report.<format>`` for each of ``[reports] formats``, ``summary.html`` (the management summary)
and ``agencies/<agency>.html`` holding only that agency's targets. The
folder is written under a hidden temporary name and renamed when complete, so a folder that
exists is whole. Only folders of this shape are ever removed by retention (``[reports] keep``
newest runs are kept).
"""

from __future__ import annotations

import logging
import re
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from scanner.judging.rules import RuleSet
from scanner.model import ScanResult
from scanner.report import renderer
from scanner.report.escape import encodable

log = logging.getLogger(__name__)

RUN_FOLDER = re.compile(r"\d{4}-\d{2}-\d{2}_\d{6}_[0-9a-f]{6,32}")


@dataclass
class RunReports:
    """What one run wrote: its folder, the full HTML report and each agency's report."""

    folder: Path
    full: Path | None = None
    agencies: dict[str, Path] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)


def folder_name(result: ScanResult, tz: ZoneInfo) -> str:
    started = datetime.fromisoformat(result.started_at).astimezone(tz)
    return f"{started:%Y-%m-%d_%H%M%S}_{result.scan_id}"


def write_run(result: ScanResult, ruleset: RuleSet, root: Path, formats: list[str], lang: str, tz: ZoneInfo,
              previous: ScanResult | None = None) -> RunReports:
    """Write the run's folder under ``root``; OSError when the disk refuses (the scan is stored already)."""
    root.mkdir(parents=True, exist_ok=True)
    final = root / folder_name(result, tz)
    partial = root / f".{final.name}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    try:
        files, agencies = _write_reports(result, ruleset, partial, formats, lang, previous)
        if final.exists():
            shutil.rmtree(final)
        partial.rename(final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise

    def moved(path: Path) -> Path:
        return final / path.relative_to(partial)

    full = final / "report.html" if "html" in formats else None
    return RunReports(final, full, {a: moved(p) for a, p in agencies.items()},
                      [moved(p) for p in [*files, *agencies.values()]])


def _write_reports(result: ScanResult, ruleset: RuleSet, folder: Path, formats: list[str], lang: str,
                   previous: ScanResult | None) -> tuple[list[Path], dict[str, Path]]:
    from scanner.report.agencies import split_by_agency, write_per_agency
    from scanner.report.html import render_with_history
    from scanner.report.management import render_summary

    files: list[Path] = []
    for fmt in dict.fromkeys(formats):
        text = (render_with_history(result, ruleset, lang, previous) if fmt == "html"
                else renderer(fmt)(result, ruleset, lang))
        path = folder / f"report.{_EXTENSIONS.get(fmt, fmt)}"
        path.write_text(encodable(text), encoding="utf-8")
        files.append(path)
    summary = folder / "summary.html"  # the management summary (`pindai scan --summary`)
    summary.write_text(encodable(render_summary(result, ruleset, lang, previous)), encoding="utf-8")
    files.append(summary)
    written = write_per_agency(result, ruleset, lang, folder / "agencies")
    return files, dict(zip(split_by_agency(result), written, strict=True))


_EXTENSIONS = {"markdown": "md", "junit": "xml", "sarif": "sarif"}


def prune(root: Path, keep: int) -> list[Path]:
    """Remove all but the ``keep`` newest run folders under ``root``; return the removed ones."""
    if not root.is_dir():
        return []
    runs = sorted((p for p in root.iterdir() if p.is_dir() and RUN_FOLDER.fullmatch(p.name)), key=lambda p: p.name)
    removed = runs[:-keep] if keep > 0 else runs
    for path in removed:
        shutil.rmtree(path, ignore_errors=True)
        log.info("retention: removed old run folder %s", path)
    return removed
