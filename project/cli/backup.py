"""Backup verbs: `backup [--list] [--with-secret-key]` and `restore [--stop] FILE`."""

from __future__ import annotations

import os
from pathlib import Path

import click

from ..user_errors import UserError
from .bundle import saved_settings
from .group import cli

# Snapshot, compression and verification yield the CPU to the site's workers.
BACKUP_NICENESS = 10


@cli.command()
@click.option("--list", "show_list", is_flag=True, help="List backups: size, age, verification.")
@click.option(
    "--with-secret-key",
    is_flag=True,
    help="Include var/secret_key (guard the file like the key itself).",
)
def backup(show_list, with_secret_key):
    """Back up the live database and settings; verify, prune, copy off-host."""
    from ..backup.service import run_backup
    from ..backup.site import listing, site_config

    config = site_config(saved_settings())
    if show_list:
        click.echo(listing(config))
        return
    os.nice(BACKUP_NICENESS)  # the workers keep the CPU; pg_dump inherits it
    result = run_backup(config, with_secret_key=with_secret_key)
    if not result.good:
        raise UserError(f"backup {result.path} failed verification: {result.detail}")
    click.echo(f"backup {result.path} ({result.size} bytes, {result.seconds:.1f} s) verified")
    for removed in result.removed:
        click.echo(f"removed by retention: {removed.name}")
    if result.uploaded:
        click.echo("copied off-host by APP_BACKUP_UPLOAD_CMD")
    if result.upload_error:
        raise UserError(f"backup is good but not copied off-host: {result.upload_error}")


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--stop", is_flag=True, help="Stop the running site first; start it again after.")
def restore(file, stop):
    """Put a verified backup in place of the database (the replaced one is kept)."""
    from ..backup.site import restore_site

    report = restore_site(saved_settings(), file, stop, say=click.echo)
    for kept in report.kept:
        click.echo(f"kept the replaced database as {kept} (until the next backup)")
    for written in report.restored_extras:
        click.echo(f"restored {written} (this host had none)")
