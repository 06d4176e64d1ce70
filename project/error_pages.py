"""Error responses: a plain HTML page (JSON under /api/) carrying the request id.

Uncaught exceptions reach Flask's handler, which logs them once (with traceback, through the
app logger and so with the request id) before calling the 500 handler registered here.
"""

from __future__ import annotations

from flask import Flask, jsonify, make_response, render_template, request
from flask.globals import request_ctx
from werkzeug.exceptions import HTTPException

from .logs import current_request_id

API_PREFIX = "/api/"


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, render_error)


def wants_json() -> bool:
    return request.path.startswith(API_PREFIX)


def render_error(error: HTTPException):
    code = error.code or 500
    if wants_json():
        body = {"error": {"code": error_code(error), "message": error.description}}
        body["error"]["request_id"] = current_request_id()
        response = jsonify(body)
    elif request_ctx.url_adapter is None:
        # A Host outside TRUSTED_HOSTS: no URL can be built, so no page either.
        response = make_response(f"{code} {error.name}: {error.description}\n")
        response.mimetype = "text/plain"
    else:
        response = render_template(
            "error.html", error=error, code=code, request_id=current_request_id()
        )
    return response, code, error_headers(error)


def error_code(error: HTTPException) -> str:
    return (error.name or "error").lower().replace(" ", "_").replace("'", "")


def error_headers(error: HTTPException) -> dict:
    """Keep headers the error carries (Allow on 405, Retry-After on 429, WWW-Authenticate)."""
    keep = ("Allow", "Retry-After", "WWW-Authenticate")
    return {k: v for k, v in error.get_headers() if k in keep}
