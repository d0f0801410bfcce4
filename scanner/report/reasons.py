"""Why an observation was inconclusive, in the reader's language.

Probes record a reason in English, often ending in the network library's own words
(``gaierror: [Errno -2] Name or service not known``). Reports show a plain sentence in the
report language instead, keeping what locates the problem (the target or ``host:port``).
Unrecognised reasons are shown as recorded, introduced in the report language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class ReasonClass:
    pattern: re.Pattern[str]
    text: dict[str, str]


def _cls(pattern: str, id_text: str, en_text: str) -> ReasonClass:
    return ReasonClass(re.compile(pattern, re.IGNORECASE), {"id": id_text, "en": en_text})


# First match wins: the specific before the general.
REASON_CLASSES: tuple[ReasonClass, ...] = (
    _cls(r"outside the scan scope", "di luar cakupan pemindaian (scope); tidak dihubungi",
         "outside the scan scope; not contacted"),
    _cls(r"name or service not known|nodename nor servname|getaddrinfo|name resolution|does not resolve"
         r"|gaierror|\[Errno -[23]\]",
         "nama host tidak dapat di-resolve (DNS)", "the host name does not resolve (DNS)"),
    _cls(r"connection refused|\[Errno 111\]", "koneksi ditolak: tidak ada layanan yang mendengarkan pada port itu",
         "connection refused: nothing listens on that port"),
    _cls(r"no route to host|network is unreachable|\[Errno 11[03]\]",
         "jaringan atau host tidak dapat dijangkau", "network or host unreachable"),
    _cls(r"silent service", "layanan diam: tidak menjawab dalam batas waktu; tidak ada probe yang dijalankan",
         "silent service: no answer within the timeout; no probe was run"),
    _cls(r"timed out|timeout|deadline", "waktu tunggu habis: server tidak menjawab tepat waktu",
         "timed out: the server did not answer in time"),
    _cls(r"connection reset|\[Errno 104\]|remote end closed|broken pipe",
         "koneksi diputus oleh server", "the server closed the connection"),
    _cls(r"password authentication failed|authentication failed|access denied for user",
         "autentikasi ke basis data gagal: periksa pengguna dan kata sandi (password_env)",
         "database authentication failed: check the user and password (password_env)"),
    _cls(r"permission denied", "izin ditolak: akun pemindai tidak boleh membaca objek ini",
         "permission denied: the scanning account may not read this object"),
    _cls(r"not found|no such file", "berkas atau basis data tidak ditemukan", "file or database not found"),
    _cls(r"internal probe error", "kesalahan internal probe (mohon laporkan ke pengembang Pindai)",
         "internal probe error (please report it to the Pindai developers)"),
)

_WHERE = re.compile(r"(?:https?|postgresql|mysql|mariadb|sqlite)://[^\s:'\"]*(?::\d+)?[^\s'\"]*"
                    r"|(?<![\w.-])[\w.-]+:\d{1,5}\b|'[^']+\.db'")
_INTRO = {"id": "tidak dapat diamati", "en": "could not be observed"}


def localised_reason(reason: str, lang: str) -> str:
    """``reason`` as a plain sentence in ``lang`` (id/en), keeping the place it names."""
    lang = lang if lang in ("id", "en") else "en"
    for cls in REASON_CLASSES:
        if cls.pattern.search(reason):
            where = _WHERE.search(reason)
            return f"{cls.text[lang]} ({where.group(0).strip(chr(39))})" if where else cls.text[lang]
    return f"{_INTRO[lang]}: {reason}" if lang == "id" else reason
