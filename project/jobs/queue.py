"""The huey instance, the decorators tasks are declared with, and how a task runs.

A task runs inside an app context (the worker's app, built from the environment, or the
request's own in immediate mode) with `g.request_id` set to the id of the request that
enqueued it, so its log lines and its failure record point back at that request.
"""

from __future__ import annotations

import functools
import logging
import time

from flask import Flask, g, has_app_context
from huey import Huey
from huey.api import Task

from .. import metrics
from ..logs import current_request_id
from ..user_errors import UserError
from . import failures, storage, telemetry

log = logging.getLogger(__name__)

# The enqueuing request's id travels in the task's kwargs under this name.
REQUEST_ID = "_request_id"


class QueueUnavailable(UserError):
    """The job store did not take the job (Redis or PostgreSQL down, SQLite locked)."""


class AppHuey(Huey):
    """huey that stamps each job with the request id and says plainly when the store is down."""

    def enqueue(self, task):
        if isinstance(task, Task):
            task.kwargs.setdefault(REQUEST_ID, current_request_id())
        try:
            result = super().enqueue(task)
        except storage.STORAGE_ERRORS as exc:
            log.error("job %s not enqueued: %s: %s", task.name, type(exc).__name__, exc)
            raise QueueUnavailable("the job queue is unavailable; try again later") from exc
        if isinstance(task, Task):  # retries and periodic runs too: each is one more run
            metrics.job_enqueued(task.name)
        return result


# results=False: nothing waits on a return value, so nothing piles up in the result store.
huey = AppHuey("project", results=False, storage_class=storage.Unconfigured, utc=True)
telemetry.count_outcomes(huey)


class State:
    app: Flask | None = None  # the app tasks run in when no app context is active (the worker)


def init_app(app: Flask) -> None:
    configure(app)
    app.register_error_handler(QueueUnavailable, queue_unavailable)


def configure(app: Flask) -> None:
    """Point the queue at the store the settings name (or run tasks inline in tests)."""
    config = app.config
    storage.close(huey.storage)  # a test process builds many apps: no pool left behind
    huey.immediate = False
    huey.name = config["JOBS_QUEUE"]
    if config["JOBS_IMMEDIATE"]:
        huey.immediate = True  # a fresh in-memory store; enqueue runs the task right there
    else:
        huey.storage = storage.make_storage(config)
    State.app = app
    app.extensions["jobs"] = huey
    app.extensions["jobs_store"] = storage.describe(config)


def queue_unavailable(error: QueueUnavailable):
    """503 in the site's one error room (HTML page, or JSON under /api/)."""
    from werkzeug.exceptions import ServiceUnavailable

    from ..http_errors import render_error

    return render_error(ServiceUnavailable(str(error)))


def task(**options):
    """Declare a job: `@jobs.task(retries=3, retry_delay=10)`; calling it enqueues it."""
    return lambda func: huey.task(context=True, **options)(in_job_context(func))


def periodic_task(schedule, **options):
    """Declare a job enqueued on `schedule` (a `crontab`, in UTC) by one scheduler per tick."""
    return lambda func: huey.periodic_task(schedule, context=True, **options)(in_job_context(func))


def in_job_context(func):
    """Wrap `func` so it runs in an app context carrying the enqueuing request's id."""

    @functools.wraps(func)
    def run(*args, task, **kwargs):
        request_id = kwargs.pop(REQUEST_ID, "-")
        if has_app_context():  # immediate mode: inside the request that enqueued it
            return run_logged(func, task, args, kwargs)
        with State.app.app_context():  # its teardown hands the DB connection back
            g.request_id = request_id
            with failures.in_flight(huey, task):
                return run_logged(func, task, args, kwargs)

    return run


def run_logged(func, task, args, kwargs):
    started = time.monotonic()
    try:
        result = func(*args, **kwargs)
    except Exception as exc:
        log_failure(task, exc)
        raise
    log.info("job %s %s done in %.3fs", task.name, task.id, time.monotonic() - started)
    return result


def log_failure(task, exc: Exception) -> None:
    """A retry is a warning; the last try is an error, and the job is kept as failed."""
    reason = f"{type(exc).__name__}: {exc}"
    if task.retries:
        log.warning(
            "job %s %s failed (%d tries left): %s", task.name, task.id, task.retries, reason
        )
        return
    log.error("job %s %s failed after its last try: %s", task.name, task.id, reason, exc_info=exc)
    failures.record(huey, task, reason, current_request_id())
