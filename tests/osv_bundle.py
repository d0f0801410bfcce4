"""A recorded update bundle for tests: OSV exports zipped from tests/data/osv, endoflife.date
answers from tests/data/eol (see the README files there). Never the network."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

DATA = Path(__file__).parent / "data"


def osv_export(ecosystem: str, out: Path) -> Path:
    """OSV's ``<Ecosystem>/all.zip`` shape built from the recorded records."""
    with zipfile.ZipFile(out, "w") as archive:
        for record in sorted((DATA / "osv" / ecosystem).glob("*.json")):
            archive.write(record, record.name)
    return out


def bundle(folder: Path, retrieved: str, eol: bool = True) -> Path:
    """A ``pindai update --from`` bundle zip with every recorded dataset."""
    staging = folder / "bundle"
    (staging / "osv").mkdir(parents=True)
    for ecosystem in ("Packagist", "npm", "PyPI"):
        osv_export(ecosystem, staging / "osv" / f"{ecosystem}.zip")
    if eol:
        shutil.copytree(DATA / "eol", staging / "endoflife")
    (staging / "bundle.json").write_text(json.dumps({"retrieved": retrieved}), encoding="utf-8")
    out = folder / "pindai-data.zip"
    with zipfile.ZipFile(out, "w") as archive:
        for path in sorted(staging.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(staging).as_posix())
    return out
