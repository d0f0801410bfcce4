"""docs/rules.md's tutorial works as written: its files are written, its commands run, and the
scan of a local copy of the portal finds the backup archive (and not on a soft-404 site)."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

from click.testing import CliRunner

from fixtures.backup_site import BACKUP_PATH, serve
from scanner.cli import main

DOC = Path(__file__).resolve().parent.parent / "docs" / "rules.md"
TUTORIAL = DOC.read_text(encoding="utf-8").split("## Tutorial")[1].split("\n## ")[0]


def _files() -> dict[str, str]:
    """Each ```yaml block whose first line is ``# NAME``."""
    return {m.group(1): m.group(2) for m in re.finditer(r"```yaml\n# (\S+)\n(.*?)```", TUTORIAL, re.S)}


def _commands() -> list[list[str]]:
    block = re.search(r"```sh\n(.*?)```", TUTORIAL, re.S)
    assert block
    return [shlex.split(line) for line in block.group(1).splitlines() if line.strip()]


def test_the_tutorial_pack_validates_tests_and_finds_the_archive(tmp_path: Path, monkeypatch) -> None:
    files = _files()
    assert set(files) == {"kab-portal.yaml", "kab-portal.cases.yaml"}
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    validate, test, scan = _commands()
    assert validate[:3] == ["pindai", "rules", "validate"] and test[:3] == ["pindai", "rules", "test"]
    checked = CliRunner().invoke(main, validate[1:])
    assert checked.exit_code == 0, checked.output
    assert "title.en: no English text" in checked.output
    tested = CliRunner().invoke(main, test[1:])
    assert tested.exit_code == 0, tested.output
    assert "1 rules, 3 cases, 0 failed" in tested.output
    for catch_all, expected in ((False, [BACKUP_PATH]), (True, [])):
        with serve(catch_all) as url:
            args = [url if a.startswith("https://portal.kab-contoh.go.id") else a for a in scan[1:]]
            ran = CliRunner().invoke(main, [*args, "--no-store", "--format", "json"])
        assert ran.exit_code in (0, 3), ran.output
        found = [f["item_key"] for f in json.loads(ran.stdout)["findings"] if f["rule_id"] == "KAB-HTTP-001"]
        assert found == expected
