"""The consumer program supervisord runs as `worker`: `python -m project.jobs.worker`.

Signals (huey's consumer): INT = finish the running tasks (up to --shutdown-timeout), then
exit: supervisord's stopsignal, so `scripts/ctl stop` and `reload` never cut a task short
unless it outlasts the limit. TERM = exit now, interrupting tasks. HUP = finish the running
tasks, then re-exec with the code on disk.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from importlib import import_module

from huey import signals

from .. import error_reporting, metrics
from ..config import PROJECT_ROOT
from . import failures
from .queue import State, huey
from .scheduler import AppConsumer

log = logging.getLogger("project.jobs.worker")

# Modules declaring tasks, imported before the consumer starts so it knows every task name.
# The app factory imports the feature packages (and so project.mail) already; a new module of
# tasks adds one line here.
TASK_MODULES = [
    "project.mail",
    "project.jobs.housekeeping",
]


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m project.jobs.worker")
    parser.add_argument("--shutdown-timeout", type=float, default=30.0)
    parser.add_argument("--check", action="store_true", help="import everything, then exit 0")
    return parser.parse_args(argv)


def build_consumer(app, shutdown_timeout: float) -> AppConsumer:
    config = app.config
    return AppConsumer(
        huey,
        workers=config["JOBS_WORKERS"],
        worker_type="thread",
        periodic=config["JOBS_SCHEDULER"],
        shutdown_timeout=shutdown_timeout,
        # SQLite is polled: back off to at most 0.5 s between looks at an empty queue. Redis
        # and PostgreSQL block until a job comes; there the delay only paces the retries (and
        # the logged errors) while the store is down.
        initial_delay=0.05,
        max_delay=10.0 if huey.storage.blocking else 0.5,
    )


def log_to_app_log(app) -> None:
    """huey's own lines (executing, retrying, tracebacks) go to the app log as well."""
    huey_logger = logging.getLogger("huey")
    for handler in app.logger.handlers:
        huey_logger.addHandler(handler)
    huey_logger.setLevel(app.logger.level)
    huey_logger.propagate = False


@huey.signal(signals.SIGNAL_INTERRUPTED)
def keep_interrupted(signal, task, *args, **kwargs):
    """A task cut short by a stop that outlasted the limit is kept as failed, not lost."""
    failures.record(huey, task, "interrupted by shutdown", task.kwargs.get("_request_id", "-"))


def recover(app) -> None:
    """Jobs the previous worker was running when it died are kept as failed (and logged)."""
    try:
        orphans = failures.recover_orphans(huey)
    except Exception:  # the store is down: the consumer's own retry loop waits for it
        log.exception("could not look for jobs left by a killed worker")
        return
    for job_id in orphans:
        log.error("job %s was running when the previous worker died: kept as failed", job_id)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    from ..app import create_app

    app = create_app()  # config from the environment supervisord passes (APP_CONFIG, ...)
    for module in TASK_MODULES:
        import_module(module)
    if args.check:  # `scripts/ctl reload` asks this before restarting the worker on new code
        return
    # Live gauges left by a predecessor killed with -9 (its counters stay in the sums).
    metrics.forget_dead_processes()
    error_reporting.init(app.config, "jobs", PROJECT_ROOT)
    log_to_app_log(app)
    with app.app_context():
        recover(app)
        log.info("worker %d consuming %s", os.getpid(), app.extensions["jobs_store"])
    State.app = app
    # SIGHUP makes huey re-exec `python *sys.argv`; under `-m` sys.argv[0] is a file path,
    # which would run this module as a script. The original command line keeps the `-m`.
    sys.argv = sys.orig_argv[1:]
    build_consumer(app, args.shutdown_timeout).run()


if __name__ == "__main__":
    main()
