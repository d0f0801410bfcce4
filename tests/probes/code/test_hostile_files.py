"""The code probe opens only regular files inside the tree, size-capped: a ``.gitignore`` that is a
symlink to ``/dev/zero`` or a FIFO, a FIFO source file and a link out of the tree are skipped with a
reason, without hanging or exhausting memory. The walk runs in a child process with a 1 GiB address
space limit and a timeout, so that today's failure (2.7 GB then MemoryError, or a hang) is a clean
test failure."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scanner.probes.code.readfile import FileTooLarge, NotRegularFile, read_regular

_CHILD = """
import json, resource, sys
from pathlib import Path
resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
from scanner.probes.code.patterns import load_detectors
from scanner.probes.code.walk import walk
inventory = walk(Path(sys.argv[1]), load_detectors())
print(json.dumps({"files": sorted(f.rel for f in inventory.files), "skipped": inventory.skipped,
                  "gitignore": len(inventory.gitignore), "ignore_file": inventory.ignore_file}))
"""


@pytest.fixture
def hostile_tree(tmp_path: Path) -> Path:
    root = tmp_path / "aplikasi"
    (root / "modul").mkdir(parents=True)
    (root / "app.py").write_text("DEBUG = False\n", encoding="utf-8")
    os.symlink("/dev/zero", root / ".gitignore")
    os.mkfifo(root / "modul" / ".gitignore")
    os.mkfifo(root / ".pindaiignore")
    os.mkfifo(root / "modul" / "dump.sql")
    outside = tmp_path / "rahasia.env"
    outside.write_text("DB_PASSWORD=diluar-pohon\n", encoding="utf-8")
    os.symlink(outside, root / "modul" / "config.env")
    return root


def test_walk_skips_devices_fifos_and_links(hostile_tree: Path) -> None:
    done = subprocess.run([sys.executable, "-c", _CHILD, str(hostile_tree)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout)
    assert seen["files"] == ["app.py"]
    assert seen["gitignore"] == 0 and seen["ignore_file"] is None
    assert seen["skipped"] == {
        "not_regular_file": [".pindaiignore", "modul/.gitignore", "modul/dump.sql"],
        "symlink": [".gitignore", "modul/config.env"],
    }


def test_read_regular_caps_and_refuses(tmp_path: Path) -> None:
    small = tmp_path / "kecil.txt"
    small.write_bytes(b"abc")
    assert read_regular(small, 3) == b"abc"
    with pytest.raises(FileTooLarge):
        read_regular(small, 2)
    os.symlink(small, tmp_path / "tautan.txt")
    with pytest.raises(NotRegularFile):
        read_regular(tmp_path / "tautan.txt", 100)
    os.mkfifo(tmp_path / "pipa")
    with pytest.raises(NotRegularFile):
        read_regular(tmp_path / "pipa", 100)
