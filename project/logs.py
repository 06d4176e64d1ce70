"""App logging and request ids.

The app log goes to `var/log/app.log` through a WatchedFileHandler: every worker appends to the
same file and reopens it as soon as the rotator has renamed it, so no process rotates anything
itself (per-worker rotating handlers race and lose lines). Each line carries the request id.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import re
import uuid
from pathlib import Path

from flask import Flask, g, has_app_context, request

from .deploy.layout import PROJECT_ROOT, Layout

REQUEST_ID_HEADER = "X-Request-ID"
# The id is also left in the WSGI environ, for the worker-timeout report (worker_hooks.py).
REQUEST_ID_ENVIRON = "project.request_id"
# Accept a proxy's id only if it looks like one: bounded, no spaces or quotes for the logs.
VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
TEXT_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"


def init_app(app: Flask) -> None:
    configure_app_logger(app)
    app.before_request(assign_request_id)
    app.after_request(send_request_id)


def assign_request_id() -> None:
    """Use the trusted proxy's X-Request-ID, else make one."""
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    trusted = request.environ.get("werkzeug.proxy_fix.orig") is not None
    if trusted and VALID_REQUEST_ID.match(incoming):
        g.request_id = incoming
    else:
        g.request_id = uuid.uuid4().hex
    request.environ[REQUEST_ID_ENVIRON] = g.request_id


def current_request_id() -> str:
    # g belongs to the app context: work started by a request (a mail thread) can carry its id.
    if has_app_context():
        return g.get("request_id", "-")
    return "-"


def send_request_id(response):
    response.headers[REQUEST_ID_HEADER] = current_request_id()
    return response


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log shippers."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry)


def app_log_path(app: Flask) -> Path:
    return Layout(PROJECT_ROOT, Path(app.config["VAR_DIR"])).app_log


def configure_app_logger(app: Flask) -> None:
    """Handlers on the app's named logger (`project`), not the root logger, and no
    propagation: each event is written once."""
    logger = app.logger
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()
    path = app_log_path(app)
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.WatchedFileHandler(path, encoding="utf-8")
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(
        JsonFormatter() if app.config["LOG_FORMAT"] == "json" else logging.Formatter(TEXT_FORMAT)
    )
    logger.addHandler(handler)
    logger.setLevel(app.config["LOG_LEVEL"])
    logger.propagate = False
