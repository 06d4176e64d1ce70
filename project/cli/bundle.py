"""Verbs over the running bundle: start, stop, reload, restart, status, check, logs…"""

from __future__ import annotations

import os
import sys

import click

from ..deploy.layout import PROGRAMS
from .group import cli

# Names `scripts/ctl logs NAME` accepts.
LOG_NAMES = ["access", "error", "app", "supervisord", *(program.name for program in PROGRAMS)]


class SavedOption(click.Option):
    """A persisted flag: its help line shows the value `start` saved, when there is one."""

    def get_help_record(self, ctx):
        record = super().get_help_record(ctx)
        saved = saved_value(self.name)
        if record is None or saved in (None, ""):
            return record
        return record[0], f"{record[1]} [saved: {saved}]"


def saved_value(name: str):
    from ..deploy.settings import load_saved

    try:
        saved = load_saved(os.environ)
    except (OSError, ValueError, TypeError):
        return None
    return getattr(saved, name, None) if saved else None


def deploy_options(command):
    """Flags shared by start, restart, check and gen-config; a flag not given keeps the value
    saved by the last start (shown in --help); `--accesslog ''` resets a path to its default."""
    option = lambda *names, **kw: click.option(*names, cls=SavedOption, default=None, **kw)  # noqa: E731
    options = [
        option("--config", "config_name", metavar="NAME", help="dev, test or prod (default prod)."),
        option(
            "--bind",
            type=click.Choice(["tcp", "unix"]),
            help="tcp: --host:--port (default). unix: <project>/sock/web.sock, for nginx.",
        ),
        option(
            "--socket-group",
            metavar="GROUP",
            help="With --bind unix: the group that may connect (nginx's; default www-data).",
        ),
        option(
            "--log-group",
            metavar="GROUP",
            help="Let GROUP read the logs (0640; a log shipper's group). Default: nobody.",
        ),
        option("--host", help="Address gunicorn binds (default 127.0.0.1)."),
        option("--port", type=click.IntRange(1, 65535), help="TCP port (default 8000)."),
        option("--workers", type=click.IntRange(1, 256), help="Worker processes (2 x CPUs + 1)."),
        option("--accesslog", metavar="PATH", help="Access log (default var/log/access.log)."),
        option("--errorlog", metavar="PATH", help="Error log (default var/log/error.log)."),
        option(
            "--keep-days",
            type=click.FloatRange(min=0),
            metavar="DAYS",
            help="Delete rotated logs older than DAYS (default 14).",
        ),
        option(
            "--timeout",
            type=click.IntRange(1, 3600),
            metavar="SECONDS",
            help="Kill a worker whose request runs longer (default 30; logged and reported).",
        ),
        # Test-only: rotating every few seconds is how the rotation tests run.
        option("--rotate-every", type=click.FloatRange(min=0), metavar="SECONDS", hidden=True),
    ]
    for add in reversed(options):
        command = add(command)
    return command


def unset_env_option(command):
    return click.option(
        "--unset-env",
        "unset_env",
        multiple=True,
        metavar="NAME",
        help="Drop a saved APP_* override (repeatable); `status` lists them.",
    )(command)


def deploy_settings(unset_env=(), **flags):
    """Saved settings, then APP_* of this process's environment, then the flags given."""
    from ..deploy.settings import merged

    return merged(flags, os.environ, unset_env)


def warn_about(settings) -> None:
    """Loud lines about a risky but allowed start (root, dev/test), once it has started: a
    refused start stays its one error line."""
    from ..deploy.preflight import start_warnings

    for warning in start_warnings(settings):
        click.echo(f"WARNING: {warning}", err=True)


def saved_settings():
    return deploy_settings()


def describe_flags(settings) -> str:
    """The flags in force, saved for the next start: what a plain `start` will use."""
    where = [f"bind=unix socket-group={settings.socket_group or 'www-data'}"]
    if settings.bind == "tcp":
        where = [f"host={settings.host}", f"port={settings.port}"]
    shown = [
        f"config={settings.config_name}",
        *where,
        f"workers={settings.workers}",
        f"keep-days={settings.keep_days:g}",
        f"timeout={settings.timeout}",
    ]
    shown += [
        f"{name}={value}"
        for name, value in (("accesslog", settings.accesslog), ("errorlog", settings.errorlog))
        if value
    ]
    return "saved flags: " + " ".join(shown) + " (a flag given to start/restart replaces its value)"


@cli.command()
@deploy_options
@unset_env_option
def start(**flags):
    """Start the site (supervisord + gunicorn) and wait until it answers."""
    from ..deploy.control import start as start_bundle

    settings = deploy_settings(**flags)
    click.echo(start_bundle(settings))
    click.echo(describe_flags(settings))
    warn_about(settings)


@cli.command()
def stop():
    """Stop every process of the site; in-flight requests finish first."""
    from ..deploy.control import stop as stop_bundle

    click.echo(stop_bundle(saved_settings()))


@cli.command()
@deploy_options
@unset_env_option
def restart(**flags):
    """Stop, then start: the way to apply changed flags (checked before stopping)."""
    from ..deploy.control import restart as restart_bundle

    settings = deploy_settings(**flags)
    click.echo(restart_bundle(settings))
    click.echo(describe_flags(settings))
    warn_about(settings)


@cli.command()
def reload():
    """Serve new code without dropping a request (checked before, proved after)."""
    from ..deploy.control import reload as reload_bundle

    click.echo(reload_bundle(saved_settings()))


@cli.command()
def status():
    """Each program's state and the health check; exit 1 unless all is well."""
    from ..deploy.status import status as bundle_status

    text, healthy = bundle_status(saved_settings())
    click.echo(text)
    sys.exit(0 if healthy else 1)


@cli.command()
@deploy_options
def check(**flags):
    """Deploy checklist (secret, debug, bind, files, database, logs); exit 1 on an error."""
    from ..deploy.checks import ERROR, run_checks

    findings = run_checks(deploy_settings(**flags))
    for level, message in findings:
        click.echo(f"{level:<8} {message}")
    sys.exit(1 if any(level == ERROR for level, _ in findings) else 0)


@cli.command("gen-config")
@deploy_options
@unset_env_option
@click.option("--dry-run", is_flag=True, help="Print the files instead of writing them.")
def gen_config(dry_run, **flags):
    """Render etc/ (supervisord, gunicorn, nginx, systemd) from the settings."""
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
    """Upgrade a running site: pull, install, build, migrate, reload."""
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
    """Rotate the logs into date-named files now (also done at midnight)."""
    from datetime import date

    from ..deploy import logrotate

    settings = saved_settings()
    keep = settings.keep_days if keep_days is None else keep_days
    if daemon:
        logrotate.run_forever(settings, keep, settings.rotate_every)
    for path in logrotate.rotate_logs(settings, date.today(), keep):
        click.echo(f"rotated {path}")


@cli.command(epilog="NAME is one of: " + ", ".join(LOG_NAMES) + ".")
@click.argument("name", required=False, metavar="[NAME]", type=click.Choice(LOG_NAMES))
@click.option("--follow", "-f", is_flag=True, help="Keep printing new lines (tail -F).")
@click.option("--lines", "-n", type=click.IntRange(min=1), default=40, show_default=True)
def logs(name, follow, lines):
    """Show the last lines of a log (default: the error and app logs)."""
    from ..deploy.logview import log_paths, show

    show(log_paths(saved_settings(), name), lines, follow)
