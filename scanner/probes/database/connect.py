"""Open a SQLAlchemy engine for a database target without ever exposing its password."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

from scanner.extras import MissingExtra, require_extra
from scanner.model import Target
from scanner.probes.base import ProbeContext, ProbeInconclusive
from scanner.urlsecrets import redact as redact_secrets
from scanner.urlsecrets import split_password

DRIVERS = {"postgresql": "postgresql+psycopg", "postgres": "postgresql+psycopg", "mysql": "mysql+pymysql",
           "mariadb": "mysql+pymysql", "sqlite": "sqlite"}


@dataclass
class Endpoint:
    """Connection parameters of a target (the password is kept out of ``repr``)."""

    engine: str  # postgresql | mysql | sqlite
    url: str  # SQLAlchemy URL including the password; never logged or stored
    host: str
    port: int | None
    user: str
    database: str
    password: str = field(default="", repr=False)
    query: dict[str, str] = field(default_factory=dict)


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
    the location); user name and password are percent-decoded once here and encoded once for the driver."""
    location, inline_password = split_password(target.location)
    parts = urlsplit(location)
    scheme = parts.scheme.split("+", 1)[0].lower()
    if scheme not in DRIVERS:
        raise ProbeInconclusive(f"unsupported database scheme {scheme!r}")
    engine = {"postgres": "postgresql", "mariadb": "mysql"}.get(scheme, scheme)
    password = target.password or ctx.secret(target.password_env) or inline_password
    if engine == "sqlite":
        path = parts.path[1:] if parts.path.startswith("/") else parts.path
        if not path or not os.path.isfile(path):
            raise ProbeInconclusive(f"SQLite database file {path!r} not found")
        return Endpoint("sqlite", f"sqlite:///file:{quote(path)}?mode=ro&uri=true", "", None, "", path)
    user = unquote(parts.username or "")
    host = parts.hostname or ""
    netloc = quote(user, safe="") if user else ""
    if password:
        netloc += ":" + quote(password, safe="")
    if netloc:
        netloc += "@"
    netloc += f"[{host}]" if ":" in host else host
    if parts.port:
        netloc += f":{parts.port}"
    url = urlunsplit((DRIVERS[scheme], netloc, parts.path, parts.query, ""))
    query = dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p)
    return Endpoint(engine, url, host, parts.port, user, parts.path.lstrip("/"), password, query)


def redact(text: str, ep: Endpoint) -> str:
    """Remove the password (raw and URL-quoted) and any URL password from an error message."""
    return redact_secrets(text, ep.password)


def short_error(exc: BaseException, ep: Endpoint) -> str:
    """First line of a driver error, password-free."""
    orig = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(orig).splitlines() if line.strip()]
    return redact(lines[0] if lines else type(exc).__name__, ep)[:300]


def make_engine(ep: Endpoint, timeout: float) -> Engine:
    """A pool-less engine with connect/read timeouts; a missing driver extra is inconclusive."""
    if ep.engine == "mysql":
        try:
            require_extra("mysql")
        except MissingExtra as exc:
            raise ProbeInconclusive(str(exc)) from None
    args: dict[str, Any] = {}
    if ep.engine == "postgresql":
        args = {"connect_timeout": max(1, int(timeout)), "application_name": "pindai"}
    elif ep.engine == "mysql":
        args = {"connect_timeout": max(1, int(timeout)), "read_timeout": max(5, int(timeout * 3)),
                "write_timeout": max(5, int(timeout * 3))}
    elif ep.engine == "sqlite":
        args = {"timeout": timeout}
    return create_engine(ep.url, connect_args=args, poolclass=NullPool)


def open_connection(engine: Engine, ep: Endpoint) -> Connection:
    """Connect or raise ProbeInconclusive with a clear, password-free reason."""
    try:
        conn = engine.connect()
    except Exception as exc:
        message = short_error(exc, ep)
        where = f"{ep.host}:{ep.port}" if ep.host else ep.database
        lowered = message.lower()
        if "password" in lowered or "access denied" in lowered or "authentication" in lowered:
            reason = f"authentication failed for user {ep.user!r} on {where}: {message}"
        elif ep.engine == "sqlite":
            reason = f"cannot open SQLite database {ep.database!r}: {message}"
        else:
            reason = f"cannot connect to {ep.engine} server {where}: {message}"
        raise ProbeInconclusive(reason) from None
    return conn
