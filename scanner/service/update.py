"""``pindai update``: refresh the datasets a scan judges with, into the user's data directory.

A bundle is a directory or zip file laid out as::

    bundle.json                 {"retrieved": "YYYY-MM-DD"}
    endoflife/<slug>.json       endoflife.date API answers, one per product of the EOL table
    osv/<Ecosystem>.zip         OSV's per-ecosystem export (Packagist, npm, PyPI)

Online, ``pindai update`` downloads exactly that bundle (``--save FILE`` keeps it for an
air-gapped machine) and imports it; ``--from FILE`` imports one offline. A bundle may carry only
some datasets: the others are left as they are. Packaged data stays the fallback.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests
import yaml

from scanner.judging.advisories import ECOSYSTEMS, OSV_EXPORT, index_from_export, index_path, load_index
from scanner.judging.eol import ENDOFLIFE_API, PRODUCTS, load_table, table_from_endoflife
from scanner.service.datadir import user_eol_table

EOL_HEADER = ("# End of security support per release cycle. Written by `pindai update` from the\n"
              "# endoflife.date API (scripts/update-eol-data writes the packaged copy); each product cites\n"
              "# its vendor's own support policy (policy:).\n"
              "# security_until: last day of security fixes; ended: true = support ended on no published date;\n"
              "# no date and no 'ended' = no end announced.\n")
MAX_BUNDLE_MEMBER = 2 << 30  # refuse zip members that unpack beyond 2 GiB


class UpdateError(Exception):
    """The bundle or the download cannot be used; the message says why. Datasets are left unchanged."""


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def eol_document_text(document: dict[str, Any]) -> str:
    return EOL_HEADER + yaml.safe_dump(document, sort_keys=False, allow_unicode=True)


def download_bundle(folder: Path, today: dt.date, timeout: float = 60.0) -> None:
    """Fetch the endoflife.date answers and OSV exports into ``folder`` (bundle layout)."""
    session = requests.Session()
    session.trust_env = False
    try:
        for slug, _, _ in PRODUCTS.values():
            response = session.get(ENDOFLIFE_API.format(slug=slug), timeout=(10, timeout))
            response.raise_for_status()
            (folder / "endoflife").mkdir(parents=True, exist_ok=True)
            (folder / "endoflife" / f"{slug}.json").write_bytes(response.content)
        for ecosystem in ECOSYSTEMS:
            (folder / "osv").mkdir(parents=True, exist_ok=True)
            with session.get(OSV_EXPORT.format(ecosystem=ecosystem), timeout=(10, timeout), stream=True) as response:
                response.raise_for_status()
                with (folder / "osv" / f"{ecosystem}.zip").open("wb") as out:
                    for chunk in response.iter_content(1 << 20):
                        out.write(chunk)
    except requests.RequestException as exc:
        raise UpdateError(f"download failed, nothing was changed: {exc}") from exc
    (folder / "bundle.json").write_text(json.dumps({"retrieved": today.isoformat()}), encoding="utf-8")


def save_bundle(folder: Path, out: Path) -> None:
    """Zip the bundle in ``folder`` to ``out`` for ``pindai update --from`` elsewhere."""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())


@contextmanager
def _opened(source: Path) -> Iterator[Path]:
    """The bundle as a directory (a zip is unpacked into a temporary one, member paths checked)."""
    if source.is_dir():
        yield source
        return
    try:
        with zipfile.ZipFile(source) as archive, tempfile.TemporaryDirectory(prefix="pindai-bundle-") as tmp:
            for info in archive.infolist():
                parts = Path(info.filename).parts
                if info.is_dir() or not parts or ".." in parts or Path(info.filename).is_absolute():
                    continue
                if info.file_size > MAX_BUNDLE_MEMBER:
                    raise UpdateError(f"{source}: {info.filename} is too large")
                target = Path(tmp, *parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(info) as src, target.open("wb") as dst:
                    shutil.copyfileobj(src, dst)
            yield Path(tmp)
    except (zipfile.BadZipFile, OSError) as exc:
        raise UpdateError(f"{source} is not a Pindai update bundle (a zip file or directory): {exc}") from exc


def _retrieved(folder: Path, today: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(json.loads((folder / "bundle.json").read_text(encoding="utf-8"))["retrieved"])
    except FileNotFoundError:
        return today
    except (ValueError, KeyError, TypeError) as exc:
        raise UpdateError(f"bundle.json has no valid 'retrieved' date: {exc}") from exc


def import_bundle(source: Path, today: dt.date) -> list[str]:
    """Import every dataset the bundle holds into the user's data directory; one line per dataset.

    Each dataset is checked in full before it replaces the old one."""
    done: list[str] = []
    with _opened(source) as folder:
        retrieved = _retrieved(folder, today)
        answers_dir = folder / "endoflife"
        if answers_dir.is_dir():
            try:
                answers = {key: json.loads((answers_dir / f"{slug}.json").read_text(encoding="utf-8"))
                           for key, (slug, _, _) in PRODUCTS.items()}
                document = table_from_endoflife(answers, retrieved)
            except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
                raise UpdateError(f"end-of-life answers in the bundle are incomplete or malformed: {exc}") from exc
            _write_atomically(user_eol_table(), eol_document_text(document))
            done.append(f"end-of-life table: {len(document['products'])} products, retrieved {retrieved}")
        for ecosystem in ECOSYSTEMS:
            export = folder / "osv" / f"{ecosystem}.zip"
            if not export.is_file():
                continue
            try:
                index = index_from_export(export, ecosystem, retrieved)
            except ValueError as exc:
                raise UpdateError(str(exc)) from exc
            _write_atomically(index_path(ecosystem), json.dumps(index, separators=(",", ":")))
            done.append(f"{ecosystem} advisories: {index['advisories']}, retrieved {retrieved}")
    if not done:
        raise UpdateError(f"{source} holds no dataset (expected endoflife/ or osv/<Ecosystem>.zip)")
    load_table.cache_clear()
    load_index.cache_clear()
    return done


def dataset_status(today: dt.date) -> list[dict[str, Any]]:
    """Each dataset: where it comes from (``user``, ``packaged``, ``absent``), its date and age."""
    load_table.cache_clear()
    load_index.cache_clear()
    table = load_table()
    rows = [{"dataset": "end-of-life table", "origin": table.origin, "retrieved": table.retrieved.isoformat(),
             "age_days": table.age_days(today)}]
    for ecosystem in ECOSYSTEMS:
        index = load_index(ecosystem)
        rows.append({"dataset": f"{ecosystem} advisories", "origin": "user" if index else "absent",
                     "retrieved": index.retrieved.isoformat() if index else None,
                     "age_days": (today - index.retrieved).days if index else None})
    return rows
