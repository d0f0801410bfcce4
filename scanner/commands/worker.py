"""``pindai worker --zone NAME``: observe targets of one network zone for a distributed scan."""

from __future__ import annotations

import os
import re

import click

from scanner.extras import require_extra

POOLS = ("threads", "prefork", "solo")


def worker_argv(zone: str, concurrency: int, pool: str, loglevel: str) -> list[str]:
    """Arguments for ``Celery.worker_main`` consuming only the zone's queue."""
    from scanner.running.distributed import zone_queue

    return [
        "worker", "--queues", zone_queue(zone), "--concurrency", str(concurrency), "--pool", pool,
        "--loglevel", loglevel, "--hostname", f"pindai-{zone}-{os.getpid()}@%h",
        "--without-gossip", "--without-mingle",
    ]


def preload_probes() -> list[str]:
    """Import every registered probe now (not on the first task); return the ones that fail."""
    from scanner.probes import load_probes, specs

    problems = []
    for name in specs():
        try:
            load_probes([name])
        except Exception as exc:  # a missing optional dependency must not stop the other probes
            problems.append(f"{name}: {type(exc).__name__}: {exc}")
    return problems


@click.command()
@click.option("--zone", required=True, help="Network zone this worker serves (queue pindai.zone.NAME).")
@click.option("--concurrency", type=click.IntRange(1, 256), default=4, show_default=True,
              help="Observations run at the same time by this worker.")
@click.option("--pool", type=click.Choice(POOLS), default="threads", show_default=True,
              help="Celery execution pool (probes are I/O-bound: threads suit them).")
@click.option("--broker", default=None, help="Broker and result backend URL (default: $PINDAI_BROKER_URL or "
              "redis://127.0.0.1:6379/0).")
@click.option("--loglevel", type=click.Choice(["debug", "info", "warning", "error"]), default="info",
              show_default=True)
@click.option("--scope", "scope", multiple=True, envvar="PINDAI_WORKER_SCOPE", metavar="PATTERN",
              help="Host, *.pattern or CIDR this worker may contact, whatever a task says (repeatable; "
                   "$PINDAI_WORKER_SCOPE, space-separated). Without it the worker contacts no host.")
@click.option("--allow-env", "allow_env", multiple=True, envvar="PINDAI_WORKER_ALLOW_ENV", metavar="PATTERN",
              help="Environment variable (or pattern such as 'PINDAI_*') a task may name as a credential "
                   "(repeatable; $PINDAI_WORKER_ALLOW_ENV). Without it no variable is read.")
def worker(zone: str, concurrency: int, pool: str, broker: str | None, loglevel: str,
           scope: tuple[str, ...], allow_env: tuple[str, ...]) -> None:
    """Run a worker that observes targets of one zone for distributed scans.

    Jalankan worker yang mengamati target pada satu zona jaringan untuk pemindaian terdistribusi.
    Credentials (password_env, bearer_env ...) are read from this worker's environment, only for
    variables allowed by --allow-env, never from the broker; only hosts inside --scope are contacted.
    Kredensial dibaca dari lingkungan worker ini (hanya variabel yang diizinkan --allow-env);
    hanya host di dalam --scope yang dihubungi.
    """
    require_extra("distributed")
    from scanner.running.distributed import WorkerLimits, make_app, set_worker_limits
    from scanner.running.scope import Scope

    if not re.fullmatch(r"[a-z0-9_-]+", zone):
        raise click.BadParameter("use lower-case letters, digits, '-' and '_'", param_hint="--zone")
    if not scope:
        click.echo("warning: no --scope given: this worker will contact no host (every task is inconclusive). "
                   "Peringatan: tanpa --scope worker ini tidak menghubungi host mana pun.", err=True)
    set_worker_limits(WorkerLimits(Scope(scope), allow_env))
    for problem in preload_probes():
        click.echo(f"warning: probe unavailable on this worker: {problem}", err=True)
    make_app(broker).worker_main(worker_argv(zone, concurrency, pool, loglevel))


if __name__ == "__main__":
    worker()
