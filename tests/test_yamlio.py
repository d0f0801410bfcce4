"""Parsed YAML is cached as JSON by content hash; anything JSON cannot hold is parsed every time."""

from __future__ import annotations

import datetime as dt

from scanner.yamlio import load_yaml


def _cached(tmp_path):
    return sorted((tmp_path / "yaml").glob("*.json"))


def test_parsed_yaml_is_cached_by_content(tmp_path, monkeypatch):
    monkeypatch.setenv("PINDAI_CACHE_DIR", str(tmp_path))
    assert load_yaml("rules: [{id: A}]") == {"rules": [{"id": "A"}]}
    [entry] = _cached(tmp_path)
    entry.write_text('{"rules": [{"id": "from-cache"}]}', encoding="utf-8")
    assert load_yaml("rules: [{id: A}]") == {"rules": [{"id": "from-cache"}]}
    assert load_yaml("rules: [{id: B}]") == {"rules": [{"id": "B"}]}  # edited text: parsed again
    assert len(_cached(tmp_path)) == 2


def test_values_json_cannot_hold_are_not_cached(tmp_path, monkeypatch):
    monkeypatch.setenv("PINDAI_CACHE_DIR", str(tmp_path))
    assert load_yaml("expires: 2027-01-31") == {"expires": dt.date(2027, 1, 31)}
    assert load_yaml("1: one") == {1: "one"}
    assert _cached(tmp_path) == []


def test_broken_or_unwritable_cache_only_costs_speed(tmp_path, monkeypatch):
    monkeypatch.setenv("PINDAI_CACHE_DIR", str(tmp_path))
    load_yaml("a: 1")
    [entry] = _cached(tmp_path)
    entry.write_text("{not json", encoding="utf-8")
    assert load_yaml("a: 1") == {"a": 1}
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("PINDAI_CACHE_DIR", str(blocker))  # a file where the directory should be
    assert load_yaml("b: 2") == {"b": 2}


def test_target_documents_are_not_cached_and_old_entries_are_pruned(tmp_path, monkeypatch):
    """Security review 2026-12-06 (NEW-16): each scan of a site serving a new OpenAPI YAML added a file for ever."""
    import os
    import time

    from scanner.probes.auth.openapi import parse_document  # the target-facing parser

    monkeypatch.setenv("PINDAI_CACHE_DIR", str(tmp_path))
    for n in range(3):
        parse_document(f"openapi: 3.0.0\ninfo: {{title: t{n}}}\npaths: {{/a{n}: {{get: {{}}}}}}\n")
    assert _cached(tmp_path) == []
    load_yaml("old: 1")
    (old,) = _cached(tmp_path)
    os.utime(old, (time.time() - 40 * 86400,) * 2)
    load_yaml("new: 1")
    assert [p.name for p in _cached(tmp_path)] != [] and old not in _cached(tmp_path)
