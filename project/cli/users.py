"""Account chores for operators: list users, set a password or a role, lift a lockout."""

from __future__ import annotations

import sys
from contextlib import contextmanager

import click

from .group import cli, config_option

DEPLOYED_DEFAULT = "APP_CONFIG, else the config `start` deployed, else dev"


@contextmanager
def app_context(config_name):
    from .. import devtools

    app = devtools.build_app(config_name)
    devtools.migrate_app(app)
    with app.app_context():
        yield app


def read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return click.prompt("New password", hide_input=True, confirmation_prompt=True)


@cli.command()
@config_option(DEPLOYED_DEFAULT)
def users(config_name):
    """List the accounts: id, email, role, active, created."""
    from ..admin.chores import list_users

    with app_context(config_name):
        rows = list_users()
        for user in rows:
            state = "active" if user.active else "disabled"
            created = user.created_at.strftime("%Y-%m-%d")
            click.echo(f"{user.id:>5}  {user.email:<40} {user.role:<6} {state:<8} {created}")
        click.echo(f"{len(rows)} user(s)")


@cli.command("set-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin (scripts).")
@config_option(DEPLOYED_DEFAULT)
def set_password(email, password_stdin, config_name):
    """Give an account a new password; its sessions and tokens end."""
    from ..admin.chores import set_password as store

    password = read_password(password_stdin)
    with app_context(config_name):
        user = store(email, password)
    click.echo(f"password changed for {user.email}; every session and token of it ended")


@cli.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice(["user", "admin"]), metavar="ROLE")
@config_option(DEPLOYED_DEFAULT)
def set_role(email, role, config_name):
    """Make an account a user or an admin (ROLE: user or admin)."""
    from ..admin.chores import set_role as store

    with app_context(config_name):
        user = store(email, role)
    click.echo(f"{user.email} is now {user.role}")


@cli.command()
@click.argument("email")
@config_option(DEPLOYED_DEFAULT)
def unlock(email, config_name):
    """Clear an account's failed-login count so its owner can log in now."""
    from ..admin.chores import unlock as clear

    with app_context(config_name):
        user = clear(email)
    click.echo(f"{user.email} may log in again (failed logins forgotten)")
