"""Turn a target string (URL, database URL, .sql file, source directory) into a Target."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from scanner.model import DATABASE_SCHEMES, Exposure, Target, TargetKind, strip_password
from scanner.urlsecrets import redact_url, split_password


class TargetError(ValueError):
    """A target string that Pindai cannot interpret."""


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
        return make(TargetKind.DATABASE, location, password)
    path = Path(text)
    if base_dir is not None and not path.is_absolute():
        path = base_dir / path
    if path.is_dir():
        return make(TargetKind.SOURCE, str(path))
    if path.suffix.lower() == ".sql":
        if not path.is_file():
            raise TargetError(f"{text!r}: SQL file not found")
        return make(TargetKind.SQLFILE, str(path))
    raise TargetError(
        f"{text!r}: not a URL (https://, http://), a database URL (sqlite:///, postgresql://, mysql://), "
        "a .sql file or a source directory"
    )
