"""The app's side of gunicorn's worker hooks.

etc/gunicorn.conf.py imports no app code (the master would keep the old code across a reload),
so its worker hooks call what the loaded app registered here instead:
`app.extensions["gunicorn_hooks"][hook name]`, each called with gunicorn's worker object, in
the worker process.
"""

from __future__ import annotations

from flask import Flask

from . import error_reporting, metrics
from .config import PROJECT_ROOT
from .logs import REQUEST_ID_ENVIRON

KEY = "gunicorn_hooks"


def add(app: Flask, hook: str, func) -> None:
    app.extensions.setdefault(KEY, {}).setdefault(hook, []).append(func)


def init_app(app: Flask) -> None:
    add(app, "post_worker_init", lambda worker: worker_started(app))
    add(app, "worker_abort", lambda worker: worker_timed_out(app, worker.cfg.timeout))


def worker_started(app: Flask) -> None:
    metrics.worker_started()
    error_reporting.init(app.config, "web", PROJECT_ROOT)


def worker_timed_out(app: Flask, seconds: float) -> None:
    """gunicorn is killing this worker (SIGABRT after `timeout`): log and report each request
    it was handling, while the process still can."""
    middleware = app.extensions["metrics_middleware"]
    for environ in list(middleware.in_flight.values()):
        try:
            report_killed_request(app, middleware, environ, seconds)
        except Exception:  # the worker exits next whatever happens; say why the report failed
            app.logger.exception("worker timeout: could not report the request")


def report_killed_request(app: Flask, middleware, environ: dict, seconds: float) -> None:
    request_id = environ.get(REQUEST_ID_ENVIRON, "-")
    method, path = environ.get("REQUEST_METHOD", ""), environ.get("PATH_INFO", "")
    route = middleware.route(environ)
    app.logger.error(
        "worker timeout: request %s %s %s killed after %s s", request_id, method, path, seconds
    )
    metrics.HTTP_TIMEOUTS.labels(route).inc()
    error_reporting.report_timeout(request_id, method, route, seconds)
