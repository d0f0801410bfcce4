"""Atomic report writes: whole or untouched, links followed, devices and pipes written in place."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from scanner.report.files import write_atomic


def test_replaces_whole_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "hasil.json"
    write_atomic(path, '{"a": 1}')
    write_atomic(path, '{"a": 2}')
    assert path.read_text(encoding="utf-8") == '{"a": 2}'
    assert [p.name for p in path.parent.iterdir()] == ["hasil.json"]
    assert path.stat().st_mode & 0o777 == 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def test_a_symlink_is_followed_not_replaced(tmp_path: Path) -> None:
    real = tmp_path / "laporan.html"
    real.write_text("lama", encoding="utf-8")
    link = tmp_path / "terbaru.html"
    link.symlink_to(real)
    write_atomic(link, "baru")
    assert link.is_symlink() and real.read_text(encoding="utf-8") == "baru"


def test_a_pipe_is_written_in_place(tmp_path: Path) -> None:
    fifo = tmp_path / "pipa"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    write_atomic(fifo, "isi laporan")
    reader.join(10)
    assert received == [b"isi laporan"]
    assert fifo.is_fifo()
