"""scanner.service.runs: a run's dated folder (full and per-agency reports), written whole or not at all; retention."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from scanner.judging.rules import load_rules
from scanner.model import Facts, ScanResult, Target, TargetKind
from scanner.service.runs import RUN_FOLDER, prune, write_run

JAKARTA = ZoneInfo("Asia/Jakarta")


def _result(scan_id: str = "a1b2c3d4e5f6") -> ScanResult:
    targets = [Target(TargetKind.URL, "https://a.contoh.go.id/", agency="Dinas A"),
               Target(TargetKind.URL, "https://b.contoh.go.id/", agency="Dinas B")]
    return ScanResult(scan_id, "2026-12-06T19:30:00+00:00", "2026-12-06T19:31:00+00:00", "0", "r", targets,
                      [Facts("http", t.id) for t in targets])


def test_dated_folder_in_local_time_with_every_format_and_agency(tmp_path: Path) -> None:
    reports = write_run(_result(), load_rules(), tmp_path, ["html", "json", "markdown"], "id", JAKARTA)
    assert reports.folder.name == "2026-12-07_023000_a1b2c3d4e5f6"  # 19:30 UTC is 02:30 WIB the next day
    assert RUN_FOLDER.fullmatch(reports.folder.name)
    assert sorted(p.name for p in reports.folder.iterdir()) == ["agencies", "report.html", "report.json", "report.md",
                                                                 "summary.html"]
    assert reports.full == reports.folder / "report.html"
    assert {a: p.name for a, p in reports.agencies.items()} == {"Dinas A": "dinas-a.html", "Dinas B": "dinas-b.html"}
    own = reports.agencies["Dinas A"].read_text(encoding="utf-8")
    assert "a.contoh.go.id" in own and "b.contoh.go.id" not in own
    assert [p.name for p in tmp_path.iterdir()] == [reports.folder.name]  # no temporary folder left


def test_a_failed_write_leaves_no_run_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import scanner.report.agencies

    def broken(*args: object) -> list[Path]:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(scanner.report.agencies, "write_per_agency", broken)
    with pytest.raises(OSError):
        write_run(_result(), load_rules(), tmp_path, ["html"], "id", JAKARTA)
    assert list(tmp_path.iterdir()) == []  # neither a run folder nor a temporary one


def test_retention_keeps_the_newest_runs_and_nothing_else(tmp_path: Path) -> None:
    names = [f"2026-12-0{d}_020000_0000000000a{d}" for d in range(1, 6)]
    for name in names:
        (tmp_path / name).mkdir()
    (tmp_path / "catatan-petugas").mkdir()  # not a run folder: never removed
    removed = prune(tmp_path, keep=2)
    assert [p.name for p in removed] == names[:3]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*names[3:], "catatan-petugas"])


def test_the_management_summary_is_written_beside_the_full_report(tmp_path: Path) -> None:
    reports = write_run(_result(), load_rules(), tmp_path, ["html"], "id", JAKARTA)
    summary = reports.folder / "summary.html"
    assert summary in reports.files and "a1b2c3d4e5f6" in summary.read_text(encoding="utf-8")
