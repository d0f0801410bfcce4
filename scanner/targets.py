"""Turn a target string (URL, database URL, .sql file, source directory) into a Target."""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from urllib.parse import urlsplit

from scanner.dburl import DatabaseURLError, database_params, engine_of
from scanner.errors import PindaiError
from scanner.model import DATABASE_SCHEMES, Exposure, Target, TargetKind, strip_password
from scanner.urlsecrets import redact_url, split_password


class TargetError(PindaiError, ValueError):
    """A target string that Pindai cannot interpret."""


_HOST_LABEL = r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)"
_BARE_HOST = re.compile(
    rf"(?P<host>localhost|{_HOST_LABEL}(?:\.{_HOST_LABEL})+|\[[0-9A-Fa-f:.]+\])(?::(?P<port>\d{{1,5}}))?"
)


def bare_host_url(text: str) -> str | None:
    """``host`` or ``host:port`` (a DNS name with a dot, an IP, ``localhost``, ``[v6]``) as ``https://host[:port]/``.

    Like nuclei and testssl.sh, a bare host means its HTTPS site. Anything else is None.
    """
    match = _BARE_HOST.fullmatch(text)
    if not match:
        return None
    host = match["host"]
    if host.startswith("["):
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            return None
    elif host[-1].isdigit():
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            return None
    if match["port"] and not 0 < int(match["port"]) < 65536:
        return None
    return f"https://{text}/"


def _looks_like_path(text: str) -> bool:
    return "/" in text or "\\" in text or text.startswith((".", "~"))


def _database_scheme(text: str) -> str:
    return urlsplit(text).scheme.split("+", 1)[0].lower()


def parse_target(
    text: str,
    *,
    agency: str = "",
    exposure: Exposure = Exposure.UNKNOWN,
    name: str = "",
    password_env: str = "",
    options: dict[str, object] | None = None,
    declared_at: str = "",
    zone: str = "",
    base_dir: Path | None = None,
) -> Target:
    """Classify ``text`` and build a Target; relative paths resolve against ``base_dir``."""
    text = text.strip()

    def make(kind: TargetKind, location: str, password: str = "") -> Target:
        return Target(
            kind, location, agency=agency, exposure=exposure, name=name, password_env=password_env,
            options=dict(options or {}), declared_at=declared_at, zone=zone, password=password,
        )

    lowered = text.lower()
    if "://" in text:
        try:
            parts = urlsplit(text)
            _ = parts.port  # raises on a malformed or out-of-range port
        except ValueError as exc:
            raise TargetError(f"{redact_url(text)!r}: malformed URL: {exc}") from exc
    if lowered.startswith(("http://", "https://")):
        if not parts.hostname:
            raise TargetError(f"{redact_url(text)!r}: URL has no host name")
        return make(TargetKind.URL, strip_password(text))
    if "://" in text:
        scheme = _database_scheme(text)
        if scheme not in DATABASE_SCHEMES:
            raise TargetError(
                f"{redact_url(text).split('://')[0]!r} is not a supported scheme: use https://, http://, sqlite:///, "
                "postgresql://, mysql:// or mariadb://"
            )
        location, password = split_password(text)  # the password stays in memory only
        if engine_of(scheme) != "sqlite" and not parts.hostname:
            raise TargetError(f"{redact_url(location.split('?', 1)[0])!r}: database URL has no host / "
                              "URL basis data tidak menyebut host")
        try:
            database_params(engine_of(scheme), urlsplit(location).query)
        except DatabaseURLError as exc:
            raise TargetError(f"{redact_url(location.split('?', 1)[0])!r}: {exc}") from None
        return make(TargetKind.DATABASE, location, password)
    path = Path(text)
    if base_dir is not None and not path.is_absolute():
        path = base_dir / path
    path_like = _looks_like_path(text)
    local = path_like or path.exists() or path.suffix.lower() == ".sql"
    url = None if local else bare_host_url(text)
    if url:
        return make(TargetKind.URL, url)
    if path.is_dir():
        return make(TargetKind.SOURCE, str(path))
    if path.suffix.lower() == ".sql":
        if not path.is_file():
            raise TargetError(f"{text!r}: SQL file not found / berkas SQL tidak ditemukan")
        return make(TargetKind.SQLFILE, str(path))
    if path.is_file():
        return make(TargetKind.SOURCE, str(path))
    if path_like:
        raise TargetError(f"{text!r}: no such file or directory / berkas atau direktori tidak ditemukan")
    raise TargetError(
        f"{text!r}: not a URL (https://, http://), a database URL (sqlite:///, postgresql://, mysql://), "
        "nor an existing .sql file, source file or directory / bukan URL, URL basis data, "
        "berkas atau direktori yang ada"
    )
