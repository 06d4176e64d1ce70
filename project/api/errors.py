"""Every API error is JSON: {"error": {"code", "message", "fields"?}} with the right status.

Views raise errors with `api_abort(status, code, message)`; werkzeug's own HTTP errors
(404, 405, 413, ...) and webargs' validation errors get the same shape from `error_response`.
"""

from __future__ import annotations

from flask import Blueprint, Flask, abort, jsonify, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, default_exceptions

API_PATH_PREFIX = "/api/"
WWW_AUTHENTICATE = 'Bearer realm="api"'


def api_abort(status: int, code: str, message: str, *, fields=None, headers=None):
    """Raise the HTTP error `status` answered as {"error": {code, message, fields}}."""
    try:
        abort(status)
    except HTTPException as exc:
        exc.data = {"code": code, "message": message, "fields": fields, "headers": headers}
        raise


def unauthorized(code: str, message: str, error: str | None = "invalid_token"):
    """401 with the RFC 6750 challenge so clients know a bearer token is expected."""
    challenge = WWW_AUTHENTICATE + (f', error="{error}"' if error else "")
    api_abort(401, code, message, headers={"WWW-Authenticate": challenge})


def error_code(exc: HTTPException) -> str:
    """A stable snake_case code: the one the raiser gave, else werkzeug's name."""
    data = getattr(exc, "data", None) or {}
    if data.get("code"):
        return data["code"]
    if isinstance(exc, CSRFError):
        return "csrf_failed"
    return (exc.name or "error").lower().replace(" ", "_").replace("-", "_")


def error_message(exc: HTTPException) -> str:
    data = getattr(exc, "data", None) or {}
    if isinstance(exc, InternalServerError):
        return "internal server error"  # never leak details of an unexpected failure
    return data.get("message") or exc.description or exc.name


def error_response(exc: HTTPException):
    """The JSON response for `exc`, keeping its headers (Allow, Retry-After, ...)."""
    data = getattr(exc, "data", None) or {}
    status = exc.code or 500
    error = {"code": error_code(exc), "message": error_message(exc)}
    if data.get("fields"):
        error["fields"] = data["fields"]
    response = jsonify(error=error)
    response.status_code = status
    for name, value in exc.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    response.headers.update(data.get("headers") or {})
    if status == 401:
        response.headers.setdefault("WWW-Authenticate", WWW_AUTHENTICATE)
    return response


def routing_error():
    """Unknown /api/ paths and wrong methods match no view, so blueprint handlers never see
    them: answer them here, before any app-wide (HTML) error handler can."""
    exc = request.routing_exception
    if exc is None or not request.path.startswith(API_PATH_PREFIX):
        return None
    if not isinstance(exc, HTTPException) or (exc.code or 0) < 400:
        return None  # a trailing-slash redirect is fine
    return error_response(exc)


def register_error_handlers(bp: Blueprint) -> None:
    """Per status code on the blueprint: Flask prefers code-specific handlers, and a
    blueprint's over the app's, so an app-wide HTML 404 page cannot capture API errors."""
    for code in default_exceptions:
        bp.register_error_handler(code, error_response)
    bp.register_error_handler(HTTPException, error_response)


def init_app(app: Flask) -> None:
    app.before_request(routing_error)
