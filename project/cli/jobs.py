"""`scripts/ctl jobs`: the job queue of the bundle: list it, re-queue failed jobs, run a task."""

from __future__ import annotations

from contextlib import contextmanager

import click

from ..user_errors import UserError
from .group import cli


@cli.group(invoke_without_command=True)
@click.pass_context
def jobs(ctx):
    """List the job queue: queued, scheduled, running and failed jobs (`jobs --help`: more)."""
    if ctx.invoked_subcommand is None:
        from ..jobs import admin

        with queue_errors():
            for row in admin.rows():
                click.echo(f"{row.state:<10} {row.id:<36} {row.name:<18} {row.detail}".rstrip())
            click.echo(admin.counts().summary(admin.utc_now()))


@jobs.command()
@click.argument("job_id", required=False)
@click.option("--all", "every", is_flag=True, help="Re-queue every failed job.")
def requeue(job_id, every):
    """Put a failed job (JOB_ID from `scripts/ctl jobs`) back on the queue, all tries anew."""
    from ..jobs import admin

    if bool(job_id) == every:
        raise UserError("name one failed job's id, or pass --all")
    with queue_errors():
        if every:
            click.echo(f"re-queued {admin.requeue_all()} failed jobs")
        elif admin.requeue(job_id):
            click.echo(f"re-queued {job_id}")
        else:
            raise UserError(f"no failed job with id {job_id!r}: `scripts/ctl jobs` lists them")


@jobs.command("run")
@click.argument("name")
def run_job(name):
    """Enqueue the task NAME now (one taking no arguments, e.g. purge_expired or ping)."""
    from ..jobs import admin

    with queue_errors():
        try:
            click.echo(f"enqueued {name}: job {admin.run_now(name)}")
        except admin.UnknownTask:
            names = ", ".join(admin.task_names())
            raise UserError(f"no task named {name!r}; tasks: {names}") from None


@contextmanager
def queue_errors():
    """Connect to the bundle's job store; a store that does not answer is one error line."""
    from ..deploy.status import connect_queue
    from ..jobs import admin
    from .bundle import saved_settings

    try:
        connect_queue(saved_settings())
        yield
    except admin.STORE_ERRORS as exc:
        raise UserError(f"the job store does not answer: {type(exc).__name__}: {exc}") from None
