"""`scripts/ctl i18n extract|update|compile|init`: the translation workflow (README)."""

from __future__ import annotations

import click

from .group import cli


@cli.group()
def i18n():
    """Translations: extract marked strings, update the catalogues, compile them."""


@i18n.command()
def extract():
    """Collect every marked string into project/translations/messages.pot."""
    from .. import i18n_catalog

    click.echo(f"extracted: {relative(i18n_catalog.extract())}")


@i18n.command()
def update():
    """Merge messages.pot into each language's messages.po (new strings need translating)."""
    from .. import i18n_catalog

    for path in i18n_catalog.update():
        click.echo(f"updated: {relative(path)}")


@i18n.command("compile")
def compile_():
    """Compile the catalogues into .mo files (the bootstrap does this when they change)."""
    from .. import i18n_catalog

    for path in i18n_catalog.compile_all():
        click.echo(f"compiled: {relative(path)}")


@i18n.command()
@click.argument("locale")
def init(locale):
    """Start the catalogue of a new language LOCALE (e.g. fr, pt_BR)."""
    from .. import i18n_catalog

    click.echo(f"created: {relative(i18n_catalog.init(locale))}")


def relative(path) -> str:
    from ..config import PROJECT_ROOT

    return str(path.relative_to(PROJECT_ROOT))
