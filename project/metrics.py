"""Prometheus metrics of the app, right across every gunicorn worker.

Under gunicorn the master sets PROMETHEUS_MULTIPROC_DIR (etc/gunicorn.conf.py, `raw_env`), so
each worker writes its values to its own files in var/run/metrics/ and a scrape served by any
one worker adds them all up (`exposition`). Without it (tests, `ctl dev`, `ctl shell`) values
live in this process only. This module imports prometheus_client and nothing of the app, so
anything may call its helpers: the auth service, the mail sender, the job worker.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead

# `*_created` series exist only in single-process mode: without them a scrape of `ctl dev`
# looks like one of the bundle.
disable_created_metrics()

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
# Label of requests that matched no URL rule (404, 405, /healthz): the raw path never becomes a
# label, or every scanner's probe would add a time series.
UNMATCHED = "unmatched"

HTTP_REQUESTS = Counter(
    "http_requests_total", "HTTP requests answered.", ["method", "route", "status"]
)
HTTP_DURATION = Histogram(
    "http_request_duration_seconds",
    "Time in the app until the response was ready (sending the body excluded).",
    ["route"],
)
# livesum: a dead worker's share disappears when the master marks it dead (child_exit).
HTTP_IN_FLIGHT = Gauge(
    "http_requests_in_flight", "Requests being handled now.", multiprocess_mode="livesum"
)
HTTP_TIMEOUTS = Counter(
    "http_request_timeouts_total",
    "Requests killed by gunicorn's worker timeout.",
    ["route"],
)
WORKERS_ALIVE = Gauge(
    "app_workers_alive", "gunicorn workers that have loaded the app.", multiprocess_mode="livesum"
)
LOGIN_FAILURES = Counter("app_login_failures_total", "Failed logins (wrong password or email).")
LOGIN_THROTTLED = Counter(
    "app_login_throttled_total", "Logins refused by the throttle before any hashing."
)
MAILS_SENT = Counter("app_mails_sent_total", "Messages handed to the mail server or folder.")
MAILS_FAILED = Counter("app_mails_failed_total", "Messages that could not be handed over.")
JOBS_ENQUEUED = Counter("app_jobs_enqueued_total", "Background jobs enqueued.", ["task"])
JOBS_SUCCEEDED = Counter("app_jobs_succeeded_total", "Background jobs that finished.", ["task"])
JOBS_FAILED = Counter("app_jobs_failed_total", "Background jobs that raised.", ["task"])
JOBS_RETRIED = Counter("app_jobs_retried_total", "Background jobs scheduled for a retry.", ["task"])
# mostrecent: whichever process measured the queue last is right for everyone.
JOBS_QUEUE_DEPTH = Gauge(
    "app_jobs_queue_depth", "Jobs waiting in the queue.", multiprocess_mode="mostrecent"
)
DB_POOL_IN_USE = Gauge(
    "app_db_pool_connections_in_use",
    "Database connections checked out of the pools.",
    multiprocess_mode="livesum",
)
# livemax: after a reload only the commit that live workers run is shown.
BUILD_INFO = Gauge(
    "app_build_info",
    "Always 1; the labels say what runs.",
    ["version", "commit", "config"],
    multiprocess_mode="livemax",
)


def login_failed() -> None:
    LOGIN_FAILURES.inc()


def login_throttled() -> None:
    LOGIN_THROTTLED.inc()


def mail_sent() -> None:
    MAILS_SENT.inc()


def mail_failed() -> None:
    MAILS_FAILED.inc()


def job_enqueued(task: str) -> None:
    JOBS_ENQUEUED.labels(task).inc()


def job_succeeded(task: str) -> None:
    JOBS_SUCCEEDED.labels(task).inc()


def job_failed(task: str) -> None:
    JOBS_FAILED.labels(task).inc()


def job_retried(task: str) -> None:
    JOBS_RETRIED.labels(task).inc()


def set_queue_depth(depth: int) -> None:
    JOBS_QUEUE_DEPTH.set(depth)


def set_build_info(version: str, commit: str, config: str) -> None:
    BUILD_INFO.labels(version, commit, config).set(1)


def worker_started() -> None:
    """Called once in each gunicorn worker (post_worker_init), never in other processes."""
    WORKERS_ALIVE.set(1)


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROC_ENV) or None


def forget_dead_processes() -> None:
    """Drop the live gauges of processes that died unmarked (a job worker killed with -9;
    gunicorn's master marks its own workers): called when the job worker starts. Counters stay
    in the sums."""
    folder = multiprocess_dir()
    if folder is None:
        return
    for name in os.listdir(folder):
        pid = name.rsplit("_", 1)[-1].removesuffix(".db")
        if name.startswith("gauge_live") and pid.isdigit() and not pid_alive(int(pid)):
            mark_process_dead(int(pid), folder)


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def exposition() -> tuple[bytes, str]:
    """(body, content type) of a scrape: every worker's values when in multiprocess mode."""
    folder = multiprocess_dir()
    if folder is None:
        return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=folder)
    return generate_latest(registry), CONTENT_TYPE_LATEST
