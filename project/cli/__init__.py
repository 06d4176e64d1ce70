"""`scripts/ctl`: one click group; every verb parses flags and calls one plain function.

The face imports click and the verb modules only; each verb imports what it needs when it
runs, so `scripts/ctl --help` and the light verbs start fast and load no app code.
"""

from __future__ import annotations

import sys

import click

from ..user_errors import UserError
from . import backup, bench, bundle, i18n, jobs, local, users  # noqa: F401  (register their verbs on `cli`)
from .group import cli

__all__ = ["cli", "main"]


def main() -> None:
    try:
        cli(prog_name="scripts/ctl")
    except UserError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except OSError as exc:
        # A path the user named that cannot be created or written, a full disk…: one line.
        where = f": {exc.filename}" if exc.filename else ""
        click.echo(f"error: {exc.strerror or exc}{where}", err=True)
        sys.exit(1)
