"""Error reporting to Sentry (or any Sentry-compatible service), opt-in with APP_SENTRY_DSN.

Initialised in each gunicorn worker (post_worker_init) and in the job worker, never in
gunicorn's master. Events carry the request id, the release (git commit) and the config
name. Nothing secret leaves: no request bodies, no local variables, no cookies, and every
key that looks like a password, token, secret, cookie or session is replaced before sending.
"""

from __future__ import annotations

import re
from pathlib import Path

import sentry_sdk
from flask import g, has_app_context, has_request_context, request
from sentry_sdk.integrations.huey import HueyIntegration
from sentry_sdk.integrations.logging import ignore_logger

from . import build_info

FILTERED = "[Filtered]"
SENSITIVE_KEY = re.compile(
    r"pass|pwd|token|secret|cookie|authorization|csrf|session|api.?key|signature|otp|dsn",
    re.IGNORECASE,
)
# `password=hunter2` inside a free-text string (a message, a logged query string).
SENSITIVE_PAIR = re.compile(
    r"((?:pass\w*|pwd|token|secret|csrf\w*|session\w*|api.?key)\s*[=:]\s*)[^&\s,;'\"]+",
    re.IGNORECASE,
)
# Seconds a timeout report may wait for delivery: gunicorn SIGKILLs the worker about one
# arbiter tick (1 s) after the SIGABRT that started it.
TIMEOUT_FLUSH_SECONDS = 0.8


# What the SDK's integrations may collect: no user identity, no cookies, no query strings, no
# bodies (form fields carry passwords under many names), no local variables (same reason);
# request headers pass the SDK's denylist (Authorization and the like) and then scrub().
DATA_COLLECTION = {
    "user_info": False,
    "cookies": {"mode": "off"},
    "url_query_params": {"mode": "off"},
    "http_bodies": [],
    "stack_frame_variables": False,
}


def init(config: dict, component: str, root: Path) -> bool:
    """Start reporting when SENTRY_DSN is set; False (and nothing done) otherwise."""
    dsn = config.get("SENTRY_DSN", "")
    if not dsn:
        return False
    tags = {"config": config["CONFIG_NAME"], "component": component}
    # huey logs every failed try with its traceback and its integration reports every try
    # (and adds headers to each job's arguments): a job's last try is reported by
    # project.jobs.queue's error line instead, once, with the request id that enqueued it.
    ignore_logger("huey")
    sentry_sdk.init(
        dsn=dsn,
        release=build_info.release(config, root),
        environment=config["CONFIG_NAME"],
        data_collection=DATA_COLLECTION,
        before_send=lambda event, hint: before_send(event, hint, tags),
        before_breadcrumb=lambda crumb, hint: scrub(crumb),
        disabled_integrations=[HueyIntegration()],
    )
    return True


def before_send(event: dict, hint: dict, tags: dict) -> dict | None:
    exc_info = hint.get("exc_info")
    if exc_info and issubclass(exc_info[0], SystemExit):
        # gunicorn's worker exits by SystemExit after a timeout: report_timeout sent the event.
        return None
    return scrub(with_context(event, tags))


def with_context(event: dict, tags: dict) -> dict:
    """Add the fixed tags and, inside a request, its id and its URL rule instead of its path
    (a reset link's path is a credential)."""
    event_tags = event.setdefault("tags", {})
    for key, value in tags.items():
        event_tags.setdefault(key, value)
    if has_request_context():
        event_tags.setdefault("request_id", g.get("request_id", "-"))
        details = event.get("request")
        if isinstance(details, dict):
            rule = request.url_rule.rule if request.url_rule else "(unmatched)"
            details["url"] = request.host_url.rstrip("/") + rule
            details.pop("query_string", None)
    elif has_app_context() and "request_id" in g:  # a job: the request that enqueued it
        event_tags.setdefault("request_id", g.request_id)
    return event


def scrub(value, key: str = ""):
    """A copy of `value` with sensitive keys' values and `secret=...` pairs replaced."""
    if key and SENSITIVE_KEY.search(key):
        return FILTERED
    if isinstance(value, dict):
        return {k: scrub(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        # Headers come as [name, value] pairs: the name decides for the value.
        if len(value) == 2 and isinstance(value[0], str) and SENSITIVE_KEY.search(value[0]):
            return [value[0], FILTERED]
        return [scrub(item) for item in value]
    if isinstance(value, str):
        return SENSITIVE_PAIR.sub(r"\1" + FILTERED, value)
    return value


def report_timeout(request_id: str, method: str, route: str, seconds: float) -> None:
    """One event for a request gunicorn is killing; sent before the worker exits."""
    if not sentry_sdk.get_client().is_active():
        return
    with sentry_sdk.new_scope() as scope:
        scope.set_tag("request_id", request_id)
        scope.set_tag("route", route)
        scope.set_tag("timeout", "worker")
        scope.fingerprint = ["worker-timeout", method, route]
        sentry_sdk.capture_message(
            f"worker timeout: {method} {route} killed after {seconds:g} s", level="error"
        )
    sentry_sdk.flush(timeout=TIMEOUT_FLUSH_SECONDS)
