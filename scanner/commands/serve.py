"""``pindai serve`` (the fleet dashboard) and ``pindai users`` (its accounts)."""

from __future__ import annotations

import ipaddress
import sys
from pathlib import Path

import click

from scanner.commands.common import fail, open_store

TLS12_CIPHERS = "ECDHE+AESGCM"
"""TLS 1.2 suites of --tls-cert (forward secret AEAD only). Python cannot narrow TLS 1.3's suites; behind a
TLS proxy (docs/dashboard.md) they can be limited to the NIST SP 800-52r2 set."""

STORE = click.option("--store", "store_url", default=None,
                     help="History store URL (default: $PINDAI_STORE or the user store).")


@click.command()
@STORE
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(1, 65535), help="Port to bind.")
@click.option("--tls-cert", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Serve HTTPS with this certificate (PEM); cookies are then Secure and __Host- prefixed.")
@click.option("--tls-key", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The private key of --tls-cert (PEM).")
@click.option("--profile", "profiles", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A scheduled profile whose next runs the Schedules page shows (repeatable).")
@click.option("--session-hours", default=8.0, show_default=True, type=click.FloatRange(0.1, 168),
              help="Sessions end this many hours after login.")
def serve(store_url: str | None, host: str, port: int, tls_cert: Path | None, tls_key: Path | None,
          profiles: tuple[Path, ...], session_hours: float) -> None:
    """Serve the fleet dashboard over the history store (create the first admin with `pindai users add`).

    Sajikan dasbor armada atas penyimpanan riwayat (buat admin pertama dengan `pindai users add`).
    """
    import uvicorn

    from scanner.web.accounts import Accounts
    from scanner.web.app import create_app

    if bool(tls_cert) != bool(tls_key):
        fail("--tls-cert and --tls-key go together / --tls-cert dan --tls-key harus bersama")
    store = open_store(store_url)
    if not Accounts(store).list():
        fail("no dashboard user yet; create the first admin: pindai users add NAME --role admin / "
             "belum ada pengguna; buat admin pertama dengan pindai users add NAMA --role admin")
    if not tls_cert and not _loopback(host):
        click.echo("warning: serving plain HTTP beyond this machine; passwords and sessions cross the network "
                   "unencrypted. Use --tls-cert/--tls-key or a TLS reverse proxy. / peringatan: HTTP tanpa TLS",
                   err=True)
    scheme = "https" if tls_cert else "http"
    click.echo(f"pindai dashboard on {scheme}://{host}:{port}/ (store {store.display_url})", err=True)
    uvicorn.run(create_app(store, profiles, session_hours=session_hours), host=host, port=port,
                ssl_certfile=str(tls_cert) if tls_cert else None, ssl_keyfile=str(tls_key) if tls_key else None,
                ssl_ciphers=TLS12_CIPHERS, server_header=False, proxy_headers=True, log_level="warning")


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


@click.group()
def users() -> None:
    """Dashboard accounts. / Akun dasbor."""


@users.command("add")
@STORE
@click.argument("username")
@click.option("--role", type=click.Choice(["admin", "officer", "agency", "auditor"]), required=True,
              help="admin (users), officer (all agencies, follow-up), agency (its own agency only), "
                   "auditor (read-only, audit-log export).")
@click.option("--agency", default="", help="The agency (perangkat daerah) of an agency user.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (for scripts).")
def add(store_url: str | None, username: str, role: str, agency: str, password_stdin: bool) -> None:
    """Create a dashboard user (at least 12 characters of password). / Buat pengguna dasbor."""
    from scanner.web.accounts import AccountError, Accounts

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password / kata sandi", hide_input=True, confirmation_prompt=True)
    try:
        Accounts(open_store(store_url)).add(username, role, password, agency)
    except AccountError as exc:
        fail(str(exc))
    click.echo(f"user {username} ({role}{', ' + agency if agency else ''}) created / pengguna dibuat")


@users.command("list")
@STORE
def list_(store_url: str | None) -> None:
    """List dashboard users. / Daftar pengguna dasbor."""
    from scanner.web.accounts import Accounts

    for user, locked in Accounts(open_store(store_url)).list():
        click.echo(f"{user.username:<24} {user.role:<8} {user.agency or '-'}"
                   + (f"  locked until {locked}" if locked else ""))
