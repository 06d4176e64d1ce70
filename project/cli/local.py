"""Verbs for local work: dev server, migrations, users, shell, tests, rename."""

from __future__ import annotations

import json
import sys

import click

from .group import cli, config_option
from .users import DEPLOYED_DEFAULT


@cli.command()
@config_option("APP_CONFIG, else dev; never the deployed one")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", type=click.IntRange(1, 65535), default=5000, show_default=True)
@click.option(
    "--allow-remote-debugger",
    is_flag=True,
    help="Permit a non-loopback --host. The debugger runs any code a visitor sends.",
)
def dev(config_name, host, port, allow_remote_debugger):
    """Flask debug server with auto-reload (local work only)."""
    from .. import devtools

    devtools.run_dev_server(config_name, host, port, allow_remote_debugger)


@cli.command()
@config_option(DEPLOYED_DEFAULT)
def migrate(config_name):
    """Apply pending database migrations."""
    from .. import devtools

    applied = devtools.migrate(config_name)
    click.echo("applied: " + ", ".join(applied) if applied else "database is up to date")


@cli.command("db-status", hidden=True)
@config_option(DEPLOYED_DEFAULT)
def db_status(config_name):
    """Print {"reachable", "pending"} as JSON (for `check`, run as the workers would run)."""
    from .. import devtools

    click.echo(json.dumps(devtools.database_status(config_name)))


@cli.command("create-user")
@click.argument("email")
@click.option("--admin", is_flag=True, help="Give the user the admin role.")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin (scripts).")
@config_option(DEPLOYED_DEFAULT)
def create_user(email, admin, password_stdin, config_name):
    """Add a user (password prompted twice, or read from stdin)."""
    from .. import devtools

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    user = devtools.create_user(config_name, email, password, admin)
    click.echo(f"created {user.role} {user.email}")
    if admin:
        click.echo(
            "note: in prod (REQUIRE_TWO_FACTOR_FOR_ADMINS) this admin must set up two-factor "
            "sign-in at /account/two-factor before any other page opens"
        )


@cli.command()
@config_option(DEPLOYED_DEFAULT)
def shell(config_name):
    """Python shell with the app context and the models loaded."""
    from .. import devtools

    devtools.run_shell(config_name)


@cli.command(context_settings={"ignore_unknown_options": True})
@click.option("--quick", is_flag=True, help="Unit tests only, no lint (the edit-test loop).")
@click.argument("pytest_args", nargs=-1, type=click.UNPROCESSED)
def test(quick, pytest_args):
    """Lint (ruff) and run the test suite; extra arguments go to pytest."""
    from .. import devtools

    sys.exit(devtools.run_tests(quick, list(pytest_args)))


@cli.command("rename")
@click.argument("new_name", metavar="NEWNAME")
def rename_package(new_name):
    """Rename the package to NEWNAME: folder, imports, configs, tests, docs (clean git tree)."""
    from ..config import PROJECT_ROOT
    from ..rename import PACKAGE, rename

    changed, lint = rename(new_name)
    click.echo(f"renamed {PACKAGE}/ to {new_name}/ and rewrote {len(changed)} files:")
    click.echo("  " + " ".join(str(path.relative_to(PROJECT_ROOT)) for path in changed))
    if lint:
        click.echo(f"ruff still reports, fix these by hand:\n{lint}")
    click.echo(
        "next: review `git status`, run `scripts/ctl test` (it reinstalls the package first),"
        f" commit; `.venv/bin/pip uninstall -y {PACKAGE}` drops the old name from .venv"
    )
