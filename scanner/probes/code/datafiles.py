"""Personal data in committed data files (JSON, CSV/TSV, YAML): the database column classifier, per field.

Exports and fixtures with real NIKs, family-card numbers or patients' data end up in
repositories; the same classifier that judges database columns judges each field here. Only
fields it recognises with high confidence from at least ``MIN_VALUES`` values are kept, and only
masked examples leave this module.
"""

from __future__ import annotations

import csv
import io
import json
from functools import partial
from pathlib import PurePosixPath
from typing import Any

import yaml

from scanner.pii.records import assess_json, assess_records
from scanner.pii.types import ColumnAssessment
from scanner.probes.base import SubStatus, subcheck
from scanner.probes.code.walk import SourceFile

FORMATS = {".json": "json", ".csv": "csv", ".tsv": "tsv", ".yaml": "yaml", ".yml": "yaml"}
# A file is about people only when its records identify someone: a list of terms (a dictionary of
# diseases, a menu) is not personal data, however sensitive its words.
IDENTIFYING = frozenset({"nik", "kk", "npwp", "nip", "passport", "identity_number", "name", "phone", "email",
                         "bank_account", "birth_date"})
MIN_VALUES = 3
MAX_ROWS = 2000


def _rows(text: str, delimiter: str) -> list[dict[str, object]]:
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    rows: list[dict[str, object]] = []
    for row in reader:
        rows.append({str(k): v for k, v in row.items() if k is not None})
        if len(rows) >= MAX_ROWS:
            break
    return rows


def _assess(fmt: str, text: str) -> list[ColumnAssessment]:
    if fmt in ("csv", "tsv"):
        return assess_records(_rows(text, "," if fmt == "csv" else "\t"))
    data = json.loads(text) if fmt == "json" else yaml.safe_load(text)
    return assess_json(data) if isinstance(data, (dict, list)) else []


def _record_field(a: ColumnAssessment) -> bool:
    """A field of a list of records (``[].nik``, ``penduduk[].nama``), recognised with confidence."""
    return "[]." in a.column and a.confidence == "high" and a.sample_size >= MIN_VALUES


def _column(a: ColumnAssessment) -> dict[str, Any]:
    return {"field": a.column.removeprefix("[]."), "kind": a.kind, "category": a.category, "confidence": a.confidence,
            "sample_size": a.sample_size, "masked_examples": list(a.masked_examples)}


def _data_file(fmt: str, source: SourceFile) -> dict[str, Any]:
    """One data file's record: its identifying record fields, inconclusive when unreadable as ``fmt``, or
    ``{}`` when it holds none."""
    try:
        found = _assess(fmt, source.text)
    except (ValueError, yaml.YAMLError, csv.Error, RecursionError) as exc:
        return {"status": SubStatus.INCONCLUSIVE, "reason": _reason(exc), "columns": []}
    columns = [_column(a) for a in found if _record_field(a)]
    if not any(c["kind"] in IDENTIFYING for c in columns):
        return {}
    return {"status": SubStatus.OK, "columns": columns, "specific": any(c["category"] == "specific" for c in columns)}


def _reason(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:200]


def analyze_data_files(files: list[SourceFile]) -> dict[str, Any]:
    """``{"files": n, "items": [...]}``: every data file read, and those holding personal data."""
    items: list[dict[str, Any]] = []
    read = 0
    for source in files:
        fmt = FORMATS.get(PurePosixPath(source.rel).suffix.lower())
        if fmt is None:
            continue
        read += 1
        # one file that breaks the reader is inconclusive on its own
        record = subcheck(f"data file {source.rel}", partial(_data_file, fmt, source), _reason)
        if record:
            items.append({"path": source.rel, "format": fmt, **record, "columns": record.get("columns", [])})
    return {"files": read, "items": items}
