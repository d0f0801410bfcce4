"""``pindai update``: datasets into the user's data directory from a recorded bundle (never the network)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from click.testing import CliRunner

from scanner.cli import main
from scanner.judging.eol import load_table, table_path
from scanner.probes.code.probe import observe_tree
from tests.osv_bundle import bundle

PACKAGED = table_path().read_bytes()


def _pindai(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _html_report(app: Path, out: Path) -> str:
    _pindai("scan", str(app), "--no-store", "--html", str(out), "--lang", "en")
    return out.read_text(encoding="utf-8")


def _app(folder: Path) -> Path:
    (folder / "app").mkdir()
    (folder / "app" / "composer.lock").write_text(json.dumps(
        {"packages": [{"name": "guzzlehttp/guzzle", "version": "7.4.4"}], "packages-dev": []}))
    return folder / "app"


def test_check_before_any_update_names_the_packaged_table_and_absent_advisories() -> None:
    done = _pindai("update", "--check")
    assert done.exit_code == 0
    assert f"end-of-life table: packaged, retrieved {load_table().retrieved}" in done.output
    assert "npm advisories: absent" in done.output and "run `pindai update`" in done.output


def test_update_from_a_recorded_bundle_replaces_the_data_and_the_next_report_names_its_date(tmp_path: Path) -> None:
    app = _app(tmp_path)
    before = _html_report(app, tmp_path / "before.html")
    assert "absent, dependencies not tested (run pindai update)" in before
    assert "PND-CODE-030" not in before.split("Compliance")[0]

    done = _pindai("update", "--from", str(bundle(tmp_path, "2026-12-01")))
    assert done.exit_code == 0, done.output
    assert "Packagist advisories: 1, retrieved 2026-12-01" in done.output
    assert "end-of-life table: 12 products, retrieved 2026-12-01" in done.output
    assert load_table().origin == "user" and str(load_table().retrieved) == "2026-12-01"
    assert table_path().read_bytes() == PACKAGED  # the packaged copy is never written

    check = _pindai("update", "--check")
    assert "Packagist advisories: user, retrieved 2026-12-01" in check.output
    assert "end-of-life table: user, retrieved 2026-12-01" in check.output

    after = _html_report(app, tmp_path / "after.html")
    assert "GHSA-25mq-v84q-4j7r" in after
    assert "Vulnerability advisory data (OSV)</dt><dd>Packagist: retrieved 2026-12-01" in after
    assert "End-of-life table</dt><dd>retrieved 2026-12-01" in after


def test_a_broken_bundle_is_a_usage_error_and_changes_nothing(tmp_path: Path) -> None:
    good = bundle(tmp_path, "2026-12-01")
    assert _pindai("update", "--from", str(good)).exit_code == 0
    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("osv/npm.zip", b"not a zip")
    done = _pindai("update", "--from", str(broken))
    assert done.exit_code == 2
    assert "not an OSV export of npm" in done.output and "data tidak diubah" in done.output
    assert "lodash" in json.dumps(observe_tree(_app_with_lodash(tmp_path))["dependencies"]["vulnerable"])


def _app_with_lodash(folder: Path) -> Path:
    app = folder / "node"
    app.mkdir()
    (app / "package-lock.json").write_text(json.dumps(
        {"lockfileVersion": 3, "packages": {"node_modules/lodash": {"version": "4.17.20"}}}))
    return app


def test_a_bundle_without_any_dataset_is_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty.zip"
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("readme.txt", "nothing")
    done = _pindai("update", "--from", str(empty))
    assert done.exit_code == 2 and "holds no dataset" in done.output


def test_zip_members_cannot_escape_the_unpacking_folder(tmp_path: Path) -> None:
    hostile = tmp_path / "hostile.zip"
    with zipfile.ZipFile(hostile, "w") as archive:
        archive.writestr("../../escaped.txt", "x")
        archive.writestr("bundle.json", json.dumps({"retrieved": "2026-12-01"}))
    done = _pindai("update", "--from", str(hostile))
    assert done.exit_code == 2
    assert not list(tmp_path.parent.rglob("escaped.txt"))
