"""Personal data in structured bodies (JSON API responses): the column classifier, per field.

``assess_json(data)`` walks a parsed JSON document, gathers the values of each field path
(``data[].nama``, ``pasien.tgl_lahir``) and assesses every path with
:func:`scanner.pii.column_verdict.assess_column`, exactly as a database column: the same detectors
serve the ``database``, ``sqlfile``, ``http`` and ``auth`` probes. Bounded: at most
``MAX_FIELDS`` paths, ``MAX_VALUES`` values per path, ``MAX_DEPTH`` levels and
``MAX_NODES`` visited nodes, so a hostile body cannot exhaust memory or time.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date

from scanner.pii.column_verdict import assess_column
from scanner.pii.detectors import find_personal_data
from scanner.pii.types import BodyAssessment, ColumnAssessment

MAX_FIELDS = 200
MAX_VALUES = 200
MAX_DEPTH = 8
MAX_NODES = 50_000
MAX_TEXT = 2048
MAX_BODY = 1_000_000  # characters of a body parsed as JSON


def field_values(data: object) -> dict[str, list[object]]:
    """Scalar values of a JSON document grouped by field path (list items share ``[]``)."""
    out: dict[str, list[object]] = {}
    stack: list[tuple[str, object, int]] = [("", data, 0)]
    visited = 0
    while stack and visited < MAX_NODES:
        path, node, depth = stack.pop()
        visited += 1
        if isinstance(node, Mapping):
            if depth < MAX_DEPTH:
                stack.extend((f"{path}.{k}" if path else str(k), v, depth + 1) for k, v in reversed(list(node.items())))
        elif isinstance(node, list):
            if depth < MAX_DEPTH:
                stack.extend((f"{path}[]", v, depth + 1) for v in reversed(node[:MAX_VALUES]))
        elif isinstance(node, (str, int, float)) and not isinstance(node, bool) and path:
            bucket = out.get(path)
            if bucket is None:
                if len(out) >= MAX_FIELDS:
                    continue
                bucket = out[path] = []
            if len(bucket) < MAX_VALUES:
                bucket.append(node[:MAX_TEXT] if isinstance(node, str) else node)
    return out


def _field_name(path: str) -> str:
    """The last key of a path (``data[].pasien.nama`` -> ``nama``), what a column name would be."""
    return path.replace("[]", "").rsplit(".", 1)[-1] or path


def assess_records(records: Iterable[Mapping[str, object]], *, on: date | None = None) -> list[ColumnAssessment]:
    """Assess the fields of a list of flat records (rows of an export, items of an API list)."""
    return assess_json(list(records), on=on)


def assess_json(data: object, *, on: date | None = None) -> list[ColumnAssessment]:
    """Personal-data fields of a parsed JSON document; ``column`` holds the field path."""
    found: list[ColumnAssessment] = []
    for path, values in field_values(data).items():
        a = assess_column(_field_name(path), values, on=on)
        if a is not None and a.category != "none":
            found.append(_with_path(a, path))
    return found


def _with_path(a: ColumnAssessment, path: str) -> ColumnAssessment:
    return replace(a, column=path)


def assess_body(text: str, content_type: str = "", *, on: date | None = None) -> BodyAssessment:
    """Personal data in an HTTP/API body: values found in the text, and per-field verdicts when
    the body is JSON (names, birth dates and specific values are recognised per field).

    The public entry point for response bodies (``http`` and ``auth`` probes); only masked
    values leave it.
    """
    matches = find_personal_data(text)
    fields: list[ColumnAssessment] = []
    head = text.lstrip()[:1]
    if "json" in content_type.lower() or head in ("{", "["):
        try:
            data = json.loads(text[:MAX_BODY])
        except (ValueError, RecursionError):
            data = None
        if isinstance(data, (dict, list)):
            fields = assess_json(data, on=on)
    return BodyAssessment(matches, tuple(fields))
