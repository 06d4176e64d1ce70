"""`scripts/ctl`: one click group; every verb parses flags and calls one plain function."""

from __future__ import annotations

import sys

import click

from . import devtools
from .errors import UserError

CONFIG_HELP = "Named configuration: dev, test or prod (default: APP_CONFIG, else {default})."


def config_option(default: str):
    return click.option(
        "--config", "config_name", metavar="NAME", help=CONFIG_HELP.format(default=default)
    )


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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


def main() -> None:
    try:
        cli(prog_name="scripts/ctl")
    except UserError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
