"""The click group, its sectioned help, and the options several verbs share."""

from __future__ import annotations

import click

CONFIG_HELP = "Named configuration: dev, test or prod (default: {default})."

# `scripts/ctl --help` lists the verbs in these sections, in this order; a verb in none of
# them is listed under "Other".
SECTIONS = {
    "Run the site": ["start", "stop", "status", "reload", "restart", "logs"],
    "Set up and administer": [
        "check",
        "gen-config",
        "migrate",
        "create-user",
        "users",
        "set-password",
        "set-role",
        "unlock",
        "shell",
    ],
    "Operate": ["deploy", "jobs", "backup", "restore", "rotate-logs"],
    "Develop": ["dev", "test", "bench", "i18n", "rename"],
}


class SectionedGroup(click.Group):
    """A group whose help lists verbs by section, each with its one-line summary in full."""

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        visible = {
            name: command
            for name in self.list_commands(ctx)
            if (command := self.get_command(ctx, name)) is not None and not command.hidden
        }
        placed = {name for names in SECTIONS.values() for name in names}
        sections = [*SECTIONS.items(), ("Other", sorted(set(visible) - placed))]
        for title, names in sections:
            rows = [(name, summary(visible[name])) for name in names if name in visible]
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)


def summary(command: click.Command) -> str:
    """The first line of the docstring, uncut (click shortens it to fit a width)."""
    return (command.help or "").strip().splitlines()[0] if command.help else ""


@click.group(
    cls=SectionedGroup,
    invoke_without_command=False,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 120},
    epilog="`scripts/ctl bootstrap` (handled by scripts/ctl itself) installs changed "
    "requirements and builds stale assets, then exits.",
)
def cli():
    """Run, deploy and test the project. `scripts/ctl VERB --help` shows a verb's flags."""


def config_option(default: str):
    return click.option(
        "--config", "config_name", metavar="NAME", help=CONFIG_HELP.format(default=default)
    )
