"""`scripts/ctl bench`: the load benchmark (benchmarks/, development checkouts only)."""

from __future__ import annotations

from pathlib import Path

import click

from .group import cli


@cli.command()
@click.option(
    "--duration", type=click.IntRange(1, 3600), default=None, help="Seconds per run (10)."
)
@click.option("--connections", type=click.IntRange(1, 1024), default=None, help="Concurrent (16).")
@click.option("--quick", is_flag=True, help="1 s runs, 2 connections, / and /healthz, 1 reload.")
@click.option(
    "--route",
    "routes",
    multiple=True,
    metavar="NAME",
    help="Only this route (repeatable): 'home', 'healthz', 'account page', 'api notes list', "
    "'hashed static', 'failed login'.",
)
@click.option("--reloads", type=click.IntRange(min=0), default=None, help="Reloads under load (5).")
@click.option(
    "--postgres-url",
    default=None,
    metavar="URL",
    help="PostgreSQL database for the DB routes; its tables are dropped ('' skips the pass).",
)
@click.option(
    "--json",
    "json_path",
    type=click.Path(dir_okay=False),
    default=None,
    metavar="FILE",
    help="Write the results as JSON here (default benchmarks/results/latest.json).",
)
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
