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
