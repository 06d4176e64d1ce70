"""The click group and the options several verbs share."""

from __future__ import annotations

import click

CONFIG_HELP = "Named configuration: dev, test or prod (default: APP_CONFIG, else {default})."


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 120},
    epilog="`scripts/ctl bootstrap` (handled by scripts/ctl itself) installs changed "
    "requirements and builds stale assets, then exits.",
)
def cli():
    """Run, deploy and test the project. Verbs below; `scripts/ctl VERB --help` for flags."""


def config_option(default: str):
    return click.option(
        "--config", "config_name", metavar="NAME", help=CONFIG_HELP.format(default=default)
    )
