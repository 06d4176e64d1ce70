"""`scripts/ctl`: one click group; every verb parses flags and calls one plain function."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import devtools
from .errors import UserError

CONFIG_HELP = "Named configuration: dev, test or prod (default: APP_CONFIG, else {default})."


LOG_NAMES = ["access", "error", "app", "supervisord", "web", "rotate-logs"]


def config_option(default: str):
    return click.option(
        "--config", "config_name", metavar="NAME", help=CONFIG_HELP.format(default=default)
    )


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 120})
def cli():
    """Run, deploy and test the project. Verbs below; `scripts/ctl VERB --help` for flags."""


@cli.command()
@config_option("dev")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", type=click.IntRange(1, 65535), default=5000, show_default=True)
@click.option(
    "--allow-remote-debugger",
    is_flag=True,
    help="Permit a non-loopback --host. The debugger runs any code a visitor sends.",
)
def dev(config_name, host, port, allow_remote_debugger):
    """Flask debug server with auto-reload (local work only)."""
    devtools.run_dev_server(config_name, host, port, allow_remote_debugger)


@cli.command()
@config_option("dev")
def migrate(config_name):
    """Apply pending database migrations."""
    applied = devtools.migrate(config_name)
    click.echo("applied: " + ", ".join(applied) if applied else "database is up to date")


@cli.command("create-user")
@click.argument("email")
@click.option("--admin", is_flag=True, help="Give the user the admin role.")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin (scripts).")
@config_option("dev")
def create_user(email, admin, password_stdin, config_name):
    """Add a user (password prompted twice, or read from stdin)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    user = devtools.create_user(config_name, email, password, admin)
    click.echo(f"created {user.role} {user.email}")


@cli.command()
@config_option("dev")
def shell(config_name):
    """Python shell with the app context and the models loaded."""
    devtools.run_shell(config_name)


@cli.command(context_settings={"ignore_unknown_options": True})
@click.option("--quick", is_flag=True, help="Unit tests only, no lint (the edit-test loop).")
@click.argument("pytest_args", nargs=-1, type=click.UNPROCESSED)
def test(quick, pytest_args):
    """Lint (ruff) and run the test suite; extra arguments go to pytest."""
    sys.exit(devtools.run_tests(quick, list(pytest_args)))


@cli.command("rename")
@click.argument("new_name", metavar="NEWNAME")
def rename_package(new_name):
    """Rename the package to NEWNAME: folder, imports, configs, tests, docs (clean git tree)."""
    from .config import PROJECT_ROOT
    from .rename import PACKAGE, rename

    changed, lint = rename(new_name)
    click.echo(f"renamed {PACKAGE}/ to {new_name}/ and rewrote {len(changed)} files:")
    click.echo("  " + " ".join(str(path.relative_to(PROJECT_ROOT)) for path in changed))
    if lint:
        click.echo(f"ruff still reports, fix these by hand:\n{lint}")
    click.echo(
        "next: review `git status`, run `scripts/ctl test` (it reinstalls the package first),"
        f" commit; `.venv/bin/pip uninstall -y {PACKAGE}` drops the old name from .venv"
    )


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
            help="Kill a worker whose request runs longer (default 30; reported, see README).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def deploy_settings(**flags):
    from .deploy.settings import merged

    return merged(flags)


def saved_settings():
    from .deploy.settings import merged

    return merged({})


@cli.command()
@deploy_options
def start(**flags):
    """Start supervisord and the gunicorn workers; wait until /healthz answers."""
    from .deploy.control import start as start_bundle

    click.echo(start_bundle(deploy_settings(**flags)))


@cli.command()
def stop():
    """Stop every process of the project gracefully (in-flight requests finish)."""
    from .deploy.control import stop as stop_bundle

    click.echo(stop_bundle(saved_settings()))


@cli.command()
@deploy_options
def restart(**flags):
    """Stop, then start (applies changed flags)."""
    from .deploy.control import restart as restart_bundle

    click.echo(restart_bundle(deploy_settings(**flags)))


@cli.command()
def reload():
    """Check that the new code loads, then replace the workers without dropping requests."""
    from .deploy.control import reload as reload_bundle

    click.echo(reload_bundle(saved_settings()))


@cli.command()
def status():
    """Show each program's state; exit 0 only if all run and /healthz answers."""
    from .deploy.status import status as bundle_status

    text, healthy = bundle_status(saved_settings())
    click.echo(text)
    sys.exit(0 if healthy else 1)


@cli.command()
@deploy_options
def check(**flags):
    """Deploy checklist: secret, debug, bind, permissions, database, migrations, assets."""
    from .deploy.checks import ERROR, run_checks

    findings = run_checks(deploy_settings(**flags))
    for level, message in findings:
        click.echo(f"{level:<8} {message}")
    sys.exit(1 if any(level == ERROR for level, _ in findings) else 0)


@cli.command("gen-config")
@deploy_options
@click.option("--dry-run", is_flag=True, help="Print the files instead of writing them.")
def gen_config(dry_run, **flags):
    """Render etc/ (supervisord, gunicorn, nginx example, systemd units) from the settings."""
    from .deploy.files import config_files, dry_run_text, write_files
    from .deploy.settings import save

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
    from .deploy.upgrade import deploy as deploy_release

    click.echo(deploy_release(saved_settings(), pull=not no_pull, say=click.echo))


@cli.command()
def bootstrap():
    """Install changed requirements and build stale assets (done by scripts/ctl itself)."""
    click.echo("bootstrap: .venv and assets are up to date")


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

    from .deploy import logrotate

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
    from .deploy.logview import log_paths, show

    show(log_paths(saved_settings(), name), lines, follow)


@cli.command()
@click.option(
    "--duration", type=click.IntRange(1, 3600), default=None, help="Seconds per run (10)."
)
@click.option("--connections", type=click.IntRange(1, 1024), default=None, help="Concurrent (16).")
@click.option("--quick", is_flag=True, help="1 s runs, 2 connections, / and /healthz, 1 reload.")
@click.option("--route", "routes", multiple=True, metavar="NAME", help="Only these routes.")
@click.option("--reloads", type=click.IntRange(min=0), default=None, help="Reloads under load (5).")
@click.option(
    "--postgres-url",
    default=None,
    metavar="URL",
    help="PostgreSQL database for the DB routes; its tables are dropped ('' skips the pass).",
)
@click.option("--json", "json_path", type=click.Path(dir_okay=False), default=None)
def bench(quick, json_path, **flags):
    """Load-test the bundle against a bare WSGI app under the same gunicorn config."""
    from benchmarks import report, run

    changes = {key: value for key, value in flags.items() if value not in (None, ())}
    if json_path:
        changes["json_path"] = Path(json_path).resolve()
    options = run.quick_options(**changes) if quick else run.Options(**changes)
    log = lambda line: click.echo(line, err=True)  # noqa: E731
    click.echo(report.render(run.run_benchmarks(options, log=log)))
    click.echo(f"results written to {options.json_path}")


def main() -> None:
    try:
        cli(prog_name="scripts/ctl")
    except UserError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
