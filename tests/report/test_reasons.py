"""Inconclusive reasons read as plain sentences in the report language, never as raw errno text."""

from __future__ import annotations

import pytest

from scanner.report.reasons import localised_reason

RAW = [
    ("cannot connect to nonexistent.invalid:443: gaierror: [Errno -2] Name or service not known",
     "nama host tidak dapat di-resolve", "does not resolve", "nonexistent.invalid:443"),
    ("cannot reach https://nonexistent.invalid/: host name does not resolve",
     "nama host tidak dapat di-resolve", "does not resolve", "https://nonexistent.invalid/"),
    ("cannot connect to 127.0.0.1:9: ConnectionRefusedError: [Errno 111] Connection refused",
     "koneksi ditolak", "connection refused", "127.0.0.1:9"),
    ('cannot connect to postgresql server 127.0.0.1:9: connection failed: connection to server at "127.0.0.1", '
     "port 9 failed: Connection refused", "koneksi ditolak", "connection refused", "127.0.0.1:9"),
    ("SQLite database file 'nope.db' not found", "tidak ditemukan", "not found", "nope.db"),
    ("host 10.0.0.5 is outside the scan scope", "di luar cakupan", "outside the scan scope", None),
    ("authentication failed for user 'pindai' on 127.0.0.1:5432: password authentication failed",
     "autentikasi", "authentication failed", "127.0.0.1:5432"),
]


@pytest.mark.parametrize("raw,id_text,en_text,where", RAW)
def test_known_reasons_are_localised(raw: str, id_text: str, en_text: str, where: str | None) -> None:
    for lang, expected in (("id", id_text), ("en", en_text)):
        shown = localised_reason(raw, lang)
        assert expected in shown
        assert "Errno" not in shown and "gaierror" not in shown and "Error:" not in shown
        if where:
            assert where in shown


def test_unknown_reason_is_kept_and_introduced_in_indonesian() -> None:
    assert localised_reason("the peer sent a ServerHello for SSLv2", "en") == "the peer sent a ServerHello for SSLv2"
    assert localised_reason("the peer sent a ServerHello for SSLv2", "id").startswith("tidak dapat diamati: ")
