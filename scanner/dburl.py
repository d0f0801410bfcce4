"""The query parameters of a database URL that Pindai understands; anything else is refused.

A database URL may come from a hostile place (a broker writer's task, a shared profile), and
drivers let its query override where they connect and what they read: libpq ``host=``,
``hostaddr=``, ``service=``, ``passfile=``; PyMySQL ``host=``, ``unix_socket=``,
``local_infile=``, ``read_default_file=``. Pindai therefore never hands the query to a driver: it
reads the few parameters below and refuses every other one by name, so that the host and port
the driver connects to are exactly the ones the scope check approved.

``sslmode`` says how the connection is protected; without it the server's certificate must
verify (system CA store, or ``sslrootcert``). ``require`` accepts an unverified certificate and
``disable`` a connection without TLS: both are the operator's explicit choice for that target.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl

SSLMODES = ("disable", "require", "verify-ca", "verify-full")
SUPPORTED: dict[str, frozenset[str]] = {
    "postgresql": frozenset({"sslmode", "sslrootcert"}),
    "mysql": frozenset({"sslmode", "sslrootcert"}),
    "sqlite": frozenset(),
}


ENGINES = {"postgresql": "postgresql", "postgres": "postgresql", "mysql": "mysql", "mariadb": "mysql",
           "sqlite": "sqlite"}


class DatabaseURLError(ValueError):
    """A database URL parameter Pindai does not understand or accept (message is bilingual)."""


@dataclass(frozen=True)
class DatabaseParams:
    """What the URL's query asked for: transport protection and an optional CA file to pin."""

    sslmode: str = "verify-full"
    sslrootcert: str = ""

    @property
    def verified(self) -> bool:
        """Whether the server's certificate is checked before any credential is sent."""
        return self.sslmode in ("verify-ca", "verify-full")


def engine_of(scheme: str) -> str:
    """``postgresql``, ``mysql`` or ``sqlite`` for a URL scheme (``postgres+psycopg`` too); ``""`` if unknown."""
    return ENGINES.get(scheme.split("+", 1)[0].lower(), "")


def database_params(engine: str, query: str) -> DatabaseParams:
    """Parse ``query`` (without any password, see ``urlsecrets.split_password``) for ``engine``.

    Raises :class:`DatabaseURLError` naming the first parameter that is unknown, repeated or has
    an unsupported value. Names are decoded as SQLAlchemy decodes them (``+`` is a space).
    """
    allowed = SUPPORTED.get(engine, frozenset())
    seen: dict[str, str] = {}
    for name, value in parse_qsl(query, keep_blank_values=True):
        if name not in allowed:
            supported = ", ".join(sorted(allowed)) or "none"
            raise DatabaseURLError(
                f"database URL parameter {name!r} is not supported (supported: {supported}) / "
                f"parameter URL basis data {name!r} tidak didukung (yang didukung: {supported})")
        if name in seen:
            raise DatabaseURLError(f"database URL parameter {name!r} is given twice / "
                                   f"parameter URL basis data {name!r} diberikan dua kali")
        seen[name] = value
    mode = seen.get("sslmode", "verify-full")
    if mode not in SSLMODES:
        raise DatabaseURLError(
            f"sslmode={mode!r} is not supported: use {', '.join(SSLMODES)} (prefer/allow fall back to plaintext) / "
            f"sslmode={mode!r} tidak didukung: gunakan {', '.join(SSLMODES)}")
    return DatabaseParams(mode, seen.get("sslrootcert", ""))
