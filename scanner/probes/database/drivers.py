"""Driver connections made from explicit arguments only.

No host, port, credential or TLS choice comes from anywhere but the scope-checked endpoint:
libpq gets every routing and credential option spelled out (so ``PGPASSWORD``, ``PGHOST``,
``~/.pgpass``, a service file, Kerberos tickets and ``~/.postgresql`` client keys are never used)
and PyMySQL gets ``local_infile=False`` and no option file. TLS follows ``DatabaseParams``: a
server that does not offer TLS, or whose certificate does not verify, gets no credential unless
the URL says ``sslmode=disable`` / ``sslmode=require`` for that target.
"""

from __future__ import annotations

import socket
import ssl
from typing import Any

from scanner.dburl import DatabaseParams
from scanner.net import resolve

NO_FILE = "/nonexistent/pindai/none"  # a path that never exists: no password file, client cert or key
WITHHELD = "credentials withheld"
NOT_OFFERED = ("TLS not offered by the server: credentials withheld (add sslmode=disable to the URL to allow "
               "a login without TLS) / server tidak menawarkan TLS: kredensial tidak dikirim")
UNVERIFIED = ("certificate not verified: credentials withheld (pin the server's CA with sslrootcert=FILE, or "
              "accept it unverified with sslmode=require) / sertifikat tidak terverifikasi: kredensial tidak dikirim")
_NOT_OFFERED_MARKS = ("server does not support ssl", "ssl is required but the server doesn't support it")
_UNVERIFIED_MARKS = ("certificate verify failed", "does not match host name", "root certificate file")


def withheld_reason(message: str) -> str | None:
    """The bilingual "credentials withheld" reason a driver error stands for, or None."""
    lowered = message.lower()
    if any(mark in lowered for mark in _NOT_OFFERED_MARKS):
        return NOT_OFFERED
    if any(mark in lowered for mark in _UNVERIFIED_MARKS):
        return UNVERIFIED
    return None


def address(host: str) -> str:
    """The one IP address ``host`` is contacted at (``net.resolve``: resolved once, shared with the gate)."""
    found = resolve.address(host)
    if found is None:
        raise OSError(f"{host} does not resolve")
    return found


def pg_connect(host: str, port: int | None, user: str, database: str, password: str, params: DatabaseParams,
               timeout: float, *, application_name: str = "pindai") -> Any:
    """A psycopg connection; an empty ``password`` sends none (libpq may not look one up)."""
    import psycopg

    tls: dict[str, Any] = {"sslmode": params.sslmode}
    if params.sslmode != "disable":
        tls["sslrootcert"] = params.sslrootcert or ("system" if params.sslmode == "verify-full" else NO_FILE)
    try:
        return psycopg.connect(
            host=host, hostaddr=address(host), port=port or 5432, user=user,
            dbname=database or user or None, password=password,
            passfile=NO_FILE, sslcert=NO_FILE, sslkey=NO_FILE, gssencmode="disable",
            connect_timeout=max(1, int(timeout)), application_name=application_name, **tls)
    except OSError as exc:  # name resolution
        raise psycopg.OperationalError(f"cannot resolve {host}: {exc}") from None
    except psycopg.OperationalError as exc:
        reason = withheld_reason(str(exc))
        if reason is None:
            raise
        raise psycopg.OperationalError(reason) from None


def _mysql_tls(params: DatabaseParams) -> dict[str, Any]:
    if params.sslmode == "disable":
        return {"ssl_disabled": True}
    context = ssl.create_default_context(cafile=params.sslrootcert or None)
    if params.sslmode != "verify-full":
        context.check_hostname = False
    if not params.verified:
        context.verify_mode = ssl.CERT_NONE
    return {"ssl": context}  # an SSLContext makes PyMySQL require TLS (no fallback)


def mysql_connect(host: str, port: int | None, user: str, database: str, password: str, params: DatabaseParams,
                  timeout: float) -> Any:
    """A PyMySQL connection: never ``LOAD DATA LOCAL``, never an option file, TLS as ``params`` says.

    The socket is opened here, to the scope-checked address (``net.resolve``), and handed to
    PyMySQL; ``host`` stays the name TLS checks the certificate against.
    """
    import pymysql

    conn = pymysql.connect(
        host=host, port=port or 3306, user=user, password=password, database=database or None,
        local_infile=False, read_default_file=None, connect_timeout=max(1, int(timeout)),
        read_timeout=max(5, int(timeout * 3)), write_timeout=max(5, int(timeout * 3)), defer_connect=True,
        **_mysql_tls(params))
    try:
        sock = resolve.connect(host, port or 3306, max(1, int(timeout)))
    except OSError as exc:
        raise pymysql.err.OperationalError(2003, f"Can't connect to MySQL server on {host!r} ({exc})") from None
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # as PyMySQL does for the sockets it opens
    try:
        conn.connect(sock)
    except pymysql.err.OperationalError as exc:
        reason = withheld_reason(str(exc))
        if reason is None:
            raise
        raise pymysql.err.OperationalError(2026, reason) from None
    return conn
