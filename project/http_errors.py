"""Every HTTP error, one way: JSON under /api/ (and for the page views marked `answers_json`,
which browser scripts call), else the one page (templates/error.html); always with the
request id.

Views and decorators raise errors with `abort(code)` or `abort(code, "A sentence.")`. API views
that owe clients a stable `code`, per-field messages or extra headers use `abort_with`, which
still ends in werkzeug's abort. Uncaught exceptions reach Flask's handler, which logs them once
(with traceback and request id) before calling `render_error` with the 500.
"""

from __future__ import annotations

from typing import NoReturn

from flask import Flask, abort, current_app, jsonify, render_template, request
from flask.globals import request_ctx
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .logs import current_request_id

API_PREFIX = "/api/"
# RFC 6750: a 401 names the scheme that would work.
BEARER_CHALLENGE = 'Bearer realm="api"'
# Headers an error carries that the client needs (werkzeug sets them from abort's arguments).
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")

# What a page says when the view gave no sentence of its own.
SENTENCES = {
    400: _l("The request could not be understood. Go back and try again."),
    401: _l("You need to log in first."),
    403: _l("Your account may not open this page."),
    404: _l("There is no page at this address."),
    405: _l(
        "This address does not answer that kind of request. Go back and use its links or forms."
    ),
    413: _l("What you sent is too large."),
    429: _l("Too many requests. Wait a little, then try again."),
}
# The page's heading for the statuses a visitor meets (werkzeug's English name otherwise).
TITLES = {
    400: _l("Bad Request"),
    401: _l("Unauthorized"),
    403: _l("Forbidden"),
    404: _l("Not Found"),
    405: _l("Method Not Allowed"),
    413: _l("Request Entity Too Large"),
    429: _l("Too Many Requests"),
    500: _l("Internal Server Error"),
    503: _l("Service Unavailable"),
}
SERVER_FAULT = _l(
    "Something went wrong on our side. It has been logged; the request id says where."
)
CSRF_FAILED = _l(
    "The form was missing its security token or it did not match (expired, or sent from "
    "another site). Go back, reload the page and try again."
)
# A browser that drops the session cookie fails every form's check, so "try again" never
# works: the usual cause is a Secure cookie on a plain-HTTP site (README.md, Security model,
# Sessions).
CSRF_COOKIE_HINT = _l(
    "If this keeps happening, your browser may be refusing this site's cookies (Secure "
    "cookies over plain HTTP: see Sessions in the README)."
)
# A 5xx never tells an API client more than this: its description may hold internals.
INTERNAL_MESSAGE = "internal server error"


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, render_error)


def abort_with(status: int, code: str, message: str, *, fields=None, headers=None) -> NoReturn:
    """Raise HTTP error `status` whose JSON body says `code`, `message` and `fields`."""
    try:
        abort(status, description=message)
    except HTTPException as exc:
        exc.data = {"code": code, "fields": fields, "headers": headers}
        raise


def answers_json(view):
    """Mark a page view that scripts call (fetch): its errors are JSON, as under /api/."""
    view.answers_json = True
    return view


def wants_json() -> bool:
    if request.path.startswith(API_PREFIX):
        return True
    view = current_app.view_functions.get(request.endpoint)  # None when no route matched
    return getattr(view, "answers_json", False)


def render_error(error: HTTPException):
    status = error.code or 500
    if wants_json():
        return jsonify(error=json_error(error)), status, json_headers(error, status)
    if request_ctx.url_adapter is None:
        # A Host outside TRUSTED_HOSTS: no URL can be built, so no page either.
        text = f"{status} {error.name}: {page_sentence(error, status)}\n"
        return text, status, {"Content-Type": "text/plain; charset=utf-8"}
    page = render_template(
        "error.html",
        status=status,
        title=TITLES.get(status, error.name),
        message=page_sentence(error, status),
        hint=str(CSRF_COOKIE_HINT) if isinstance(error, CSRFError) else None,
        request_id=current_request_id(),
    )
    return page, status, error_headers(error)


def json_error(error: HTTPException) -> dict:
    """{"code", "message", "fields"?, "request_id"}: the shape the OpenAPI document declares."""
    data = extra(error)
    body = {"code": error_code(error), "message": json_message(error)}
    if data.get("fields"):
        body["fields"] = data["fields"]
    body["request_id"] = current_request_id()
    return body


def error_code(error: HTTPException) -> str:
    """A stable snake_case code: the one the raiser gave, else werkzeug's name."""
    if extra(error).get("code"):
        return extra(error)["code"]
    if isinstance(error, CSRFError):
        return "csrf_failed"
    name = (error.name or "error").lower().replace("'", "")
    return name.replace(" ", "_").replace("-", "_")


def json_message(error: HTTPException) -> str:
    if (error.code or 500) >= 500 and not own_description(error):
        return INTERNAL_MESSAGE
    return error.description or error.name


def page_sentence(error: HTTPException, status: int) -> str:
    """The view's own sentence if it gave one, else a plain one for the status."""
    if status >= 500 and not own_description(error):
        return str(SERVER_FAULT)
    if isinstance(error, CSRFError):
        return str(CSRF_FAILED)
    if own_description(error):
        return error.description
    return str(SENTENCES.get(status, SENTENCES[400]))


def own_description(error: HTTPException) -> bool:
    """A sentence the code raising the error wrote (a 503 saying which service is down), not
    werkzeug's stock text; never an exception's text (500s are InternalServerError)."""
    return (
        bool(error.description)
        and error.description != type(error).description
        and (error.code != 500)
    )


def error_headers(error: HTTPException) -> dict:
    headers = {k: v for k, v in error.get_headers() if k in KEPT_HEADERS}
    headers.update(extra(error).get("headers") or {})
    return headers


def json_headers(error: HTTPException, status: int) -> dict:
    headers = error_headers(error)
    if status == 401:
        headers.setdefault("WWW-Authenticate", BEARER_CHALLENGE)
    return headers


def extra(error: HTTPException) -> dict:
    """What abort_with attached (werkzeug's errors carry `data` only when someone set it)."""
    return getattr(error, "data", None) or {}
