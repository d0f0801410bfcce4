"""``pindai update``: refresh the end-of-life table and advisory data (online or from a bundle)."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import click

from scanner.commands.common import EXIT_CONFIG, EXIT_SCAN_ERROR, fail
from scanner.service.datadir import user_data_dir


@click.command()
@click.option("--from", "source", type=click.Path(exists=True, path_type=Path),
              help="Import a bundle (zip or directory) instead of downloading: for machines without Internet.")
@click.option("--save", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Also keep the downloaded bundle as a zip file, to carry to an air-gapped scanner.")
@click.option("--check", is_flag=True, help="Only say how old each dataset is; change nothing.")
def update(source: Path | None, save: Path | None, check: bool) -> None:
    """Refresh datasets into the user's data directory. / Perbarui data (tabel EOL, advisori OSV).

    Online it downloads the endoflife.date table and OSV's Packagist, npm and PyPI advisory
    exports; scans never go to the network for them. The packaged data stays the fallback.
    """
    from scanner.service.update import UpdateError, dataset_status, download_bundle, import_bundle, save_bundle

    today = dt.datetime.now(dt.UTC).date()
    if check:
        for row in dataset_status(today):
            if row["retrieved"] is None:
                click.echo(f"{row['dataset']}: absent / tidak ada: run `pindai update`")
            else:
                click.echo(f"{row['dataset']}: {row['origin']}, retrieved {row['retrieved']}, "
                           f"{row['age_days']} days old / berumur {row['age_days']} hari")
        click.echo(f"data directory: {user_data_dir()}")
        return
    try:
        if source is not None:
            lines = import_bundle(source, today)
        else:
            with tempfile.TemporaryDirectory(prefix="pindai-update-") as tmp:
                download_bundle(Path(tmp), today)
                if save is not None:
                    save_bundle(Path(tmp), save)
                    click.echo(f"wrote {save}", err=True)
                lines = import_bundle(Path(tmp), today)
    except UpdateError as exc:
        fail(f"{exc} / data tidak diubah", EXIT_SCAN_ERROR if source is None else EXIT_CONFIG)
    for line in lines:
        click.echo(f"updated {line}")
    click.echo(f"data directory: {user_data_dir()}")
