"""Open a SQLAlchemy engine for a database target without ever exposing its password."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

from scanner.dburl import DatabaseParams, DatabaseURLError, database_params, engine_of
from scanner.extras import MissingExtra, require_extra
from scanner.model import Target
from scanner.probes.base import ProbeContext, ProbeInconclusive
from scanner.probes.database import drivers
from scanner.urlsecrets import redact as redact_secrets
from scanner.urlsecrets import split_password


@dataclass
class Endpoint:
    """Connection parameters of a target (the password is kept out of ``repr``)."""

    engine: str  # postgresql | mysql | sqlite
    host: str
    port: int | None
    user: str
    database: str
    password: str = field(default="", repr=False)
    params: DatabaseParams = field(default_factory=DatabaseParams)

    @property
    def login(self) -> tuple[str, int | None, str, str, str, DatabaseParams]:
        """``host, port, user, database, password, params`` as the driver functions take them."""
        return self.host, self.port, self.user, self.database, self.password, self.params

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}" if self.host else self.database


@dataclass
class QueryCounter:
    """Counts statements sent to the server (for the facts' ``cost`` and the benchmark)."""

    queries: int = 0
    started: float = field(default_factory=time.monotonic)

    def attach(self, engine: Engine) -> None:
        def _count(*_args: Any, **_kwargs: Any) -> None:
            self.queries += 1

        event.listen(engine, "before_cursor_execute", _count)

    def summary(self) -> dict[str, Any]:
        return {"queries": self.queries, "seconds": round(time.monotonic() - self.started, 3)}


def endpoint(target: Target, ctx: ProbeContext) -> Endpoint:
    """Resolve driver, host and password (``target.password``, ``$password_env`` or one written in
    the location); the user name and password are percent-decoded once. The URL's query is read
    through :func:`scanner.dburl.database_params`: an unknown parameter is inconclusive, never
    passed to a driver (a task from a broker may not have gone through ``parse_target``)."""
    location, inline_password = split_password(target.location)
    parts = urlsplit(location)
    engine = engine_of(parts.scheme)
    if not engine:
        raise ProbeInconclusive(f"unsupported database scheme {parts.scheme!r}")
    try:
        params = database_params(engine, parts.query)
    except DatabaseURLError as exc:
        raise ProbeInconclusive(str(exc)) from None
    password = target.password or ctx.secret(target.password_env) or inline_password
    if engine == "sqlite":
        path = parts.path[1:] if parts.path.startswith("/") else parts.path
        if not path or not os.path.isfile(path):
            raise ProbeInconclusive(f"SQLite database file {path!r} not found")
        return Endpoint("sqlite", "", None, "", path)
    if not parts.hostname:
        raise ProbeInconclusive("database URL has no host / URL basis data tidak menyebut host")
    return Endpoint(engine, parts.hostname or "", parts.port, unquote(parts.username or ""),
                    parts.path.lstrip("/"), password, params)


def redact(text: str, ep: Endpoint) -> str:
    """Remove the password (raw and URL-quoted) and any URL password from an error message."""
    return redact_secrets(text, ep.password)


def short_error(exc: BaseException, ep: Endpoint) -> str:
    """First line of a driver error, password-free."""
    orig = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(orig).splitlines() if line.strip()]
    return redact(lines[0] if lines else type(exc).__name__, ep)[:300]


def make_engine(ep: Endpoint, timeout: float) -> Engine:
    """A pool-less engine with connect/read timeouts; a missing driver extra is inconclusive.

    The driver is called with explicit arguments only (``creator``): nothing from the URL's query,
    the environment or the user's configuration files chooses the host or supplies a credential.
    """
    if ep.engine == "sqlite":
        return create_engine(f"sqlite:///file:{quote(ep.database)}?mode=ro&uri=true",
                             connect_args={"timeout": timeout}, poolclass=NullPool)
    if ep.engine == "mysql":
        try:
            require_extra("mysql")
        except MissingExtra as exc:
            raise ProbeInconclusive(str(exc)) from None
        return create_engine("mysql+pymysql://", creator=lambda: drivers.mysql_connect(*ep.login, timeout),
                             poolclass=NullPool)
    return create_engine("postgresql+psycopg://", creator=lambda: drivers.pg_connect(*ep.login, timeout),
                         poolclass=NullPool)


def open_connection(engine: Engine, ep: Endpoint) -> Connection:
    """Connect or raise ProbeInconclusive with a clear, password-free reason."""
    try:
        conn = engine.connect()
    except Exception as exc:
        message = short_error(exc, ep)
        where = ep.where
        lowered = message.lower()
        if drivers.WITHHELD in message:
            reason = f"{ep.engine} server {where}: {message}"
        elif "password" in lowered or "access denied" in lowered or "authentication" in lowered:
            reason = f"authentication failed for user {ep.user!r} on {where}: {message}"
        elif ep.engine == "sqlite":
            reason = f"cannot open SQLite database {ep.database!r}: {message}"
        else:
            reason = f"cannot connect to {ep.engine} server {where}: {message}"
        raise ProbeInconclusive(reason) from None
    return conn
