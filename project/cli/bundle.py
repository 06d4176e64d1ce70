"""Verbs over the running bundle: start, stop, reload, restart, status, check, logs…"""

from __future__ import annotations

import os
import sys

import click

from ..deploy.layout import PROGRAMS
from .group import cli, config_option

# Names `scripts/ctl logs NAME` accepts.
LOG_NAMES = ["access", "error", "app", "supervisord", *(program.name for program in PROGRAMS)]


def deploy_options(command):
    """Flags shared by start, restart and gen-config; unset flags keep their saved values."""
    options = [
        config_option("the saved one, else prod"),
        click.option("--host", default=None, help="Address gunicorn binds (default 127.0.0.1)."),
        click.option("--port", type=click.IntRange(1, 65535), default=None, help="Default 8000."),
        click.option(
            "--workers", type=click.IntRange(1, 256), default=None, help="Default 2 x CPUs + 1."
        ),
        click.option(
            "--accesslog", metavar="PATH", default=None, help="Default var/log/access.log."
        ),
        click.option("--errorlog", metavar="PATH", default=None, help="Default var/log/error.log."),
        click.option(
            "--keep-days",
            type=click.FloatRange(min=0),
            default=None,
            help="Delete rotated logs older than this (default 14).",
        ),
        click.option(
            "--rotate-every",
            type=click.FloatRange(min=0),
            default=None,
            metavar="SECONDS",
            help="Rotate logs every SECONDS instead of at midnight (0 = midnight; for tests).",
        ),
        click.option(
            "--timeout",
            type=click.IntRange(1, 3600),
            default=None,
            metavar="SECONDS",
            help="Kill a worker whose request runs longer (default 30; logged and reported).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def deploy_settings(**flags):
    """Saved settings, then APP_* of this process's environment, then the flags given."""
    from ..deploy.settings import merged

    return merged(flags, os.environ)


def saved_settings():
    return deploy_settings()


@cli.command()
@deploy_options
def start(**flags):
    """Start supervisord and the gunicorn workers; wait until /healthz answers."""
    from ..deploy.control import start as start_bundle

    click.echo(start_bundle(deploy_settings(**flags)))


@cli.command()
def stop():
    """Stop every process of the project gracefully (in-flight requests finish)."""
    from ..deploy.control import stop as stop_bundle

    click.echo(stop_bundle(saved_settings()))


@cli.command()
@deploy_options
def restart(**flags):
    """Stop, then start (applies changed flags)."""
    from ..deploy.control import restart as restart_bundle

    click.echo(restart_bundle(deploy_settings(**flags)))


@cli.command()
def reload():
    """Check that the new code loads, then replace the workers without dropping requests."""
    from ..deploy.control import reload as reload_bundle

    click.echo(reload_bundle(saved_settings()))


@cli.command()
def status():
    """Show each program's state; exit 0 only if all run and /healthz answers."""
    from ..deploy.status import status as bundle_status

    text, healthy = bundle_status(saved_settings())
    click.echo(text)
    sys.exit(0 if healthy else 1)


@cli.command()
@deploy_options
def check(**flags):
    """Deploy checklist: secret, debug, bind, permissions, database, migrations, assets."""
    from ..deploy.checks import ERROR, run_checks

    findings = run_checks(deploy_settings(**flags))
    for level, message in findings:
        click.echo(f"{level:<8} {message}")
    sys.exit(1 if any(level == ERROR for level, _ in findings) else 0)


@cli.command("gen-config")
@deploy_options
@click.option("--dry-run", is_flag=True, help="Print the files instead of writing them.")
def gen_config(dry_run, **flags):
    """Render etc/ (supervisord, gunicorn, nginx example, systemd units) from the settings."""
    from ..deploy.files import config_files, dry_run_text, write_files
    from ..deploy.settings import save

    settings = deploy_settings(**flags)
    files = config_files(settings)
    if dry_run:
        click.echo(dry_run_text(files))
        return
    write_files(files)
    save(settings)
    click.echo("wrote " + ", ".join(str(path) for path in files))


@cli.command()
@click.option("--no-pull", is_flag=True, help="Skip `git pull` (code already updated on disk).")
def deploy(no_pull):
    """Upgrade a running site: pull, install, build, migrate, reload; stop at a failing step."""
    from ..deploy.upgrade import deploy as deploy_release

    click.echo(deploy_release(saved_settings(), pull=not no_pull, say=click.echo))


@cli.command("rotate-logs")
@click.option(
    "--keep-days", type=click.FloatRange(min=0), default=None, help="Default: saved (14)."
)
@click.option(
    "--daemon", is_flag=True, help="Keep running; rotate at local midnight (supervisord)."
)
def rotate_logs(keep_days, daemon):
    """Rename each log to <name>.YYYY-MM-DD, make writers reopen, compress, expire."""
    from datetime import date

    from ..deploy import logrotate

    settings = saved_settings()
    keep = settings.keep_days if keep_days is None else keep_days
    if daemon:
        logrotate.run_forever(settings, keep, settings.rotate_every)
    for path in logrotate.rotate_logs(settings, date.today(), keep):
        click.echo(f"rotated {path}")


@cli.command()
@click.argument("name", required=False, type=click.Choice(LOG_NAMES))
@click.option("--follow", "-f", is_flag=True, help="Keep printing new lines (tail -F).")
@click.option("--lines", "-n", type=click.IntRange(min=1), default=40, show_default=True)
def logs(name, follow, lines):
    """Show the last lines of a log (default: error and app); NAME picks one."""
    from ..deploy.logview import log_paths, show

    show(log_paths(saved_settings(), name), lines, follow)
