"""The JSON API: flask-smorest validates requests and builds /api/v1/openapi.json."""

from __future__ import annotations

import copy
from importlib import import_module

from flask import Flask
from flask_smorest import Api

from ..extensions import csrf
from . import docs_page
from .schemas import ErrorSchema
from .views import bp

__all__ = ["bp", "init_app"]

# Modules that add endpoints to `bp` when imported: a new one adds one line here.
ENDPOINT_MODULES = [
    "views",
]

SPEC = {  # the title is SITE_NAME's: init_app
    "version": "v1",
    "openapi_version": "3.0.3",
    "info": {
        "description": (
            "Authenticate with `Authorization: Bearer <token>` (from POST /tokens), or from a "
            "page of this site with the session cookie plus an `X-CSRFToken` header on "
            "POST/PATCH/DELETE. Every error is "
            '`{"error": {"code", "message", "fields", "request_id"}}`.'
        )
    },
}


class JsonApi(Api):
    """flask-smorest's Api, documenting this project's error shape."""

    ERROR_SCHEMA = ErrorSchema
    # Each operation lists its real error statuses instead of a catch-all "default".
    DEFAULT_ERROR_RESPONSE_NAME = None

    def _register_error_handlers(self):
        """Skip flask-smorest's app-wide handler: project/http_errors.py answers every error."""


def init_app(app: Flask) -> JsonApi:
    """Register the `api` blueprint, its JSON errors and its OpenAPI document on `app`."""
    app.config.setdefault("OPENAPI_URL_PREFIX", bp.url_prefix)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    # A deep copy: apispec writes the first app's title into the options' "info" dict.
    spec = {**copy.deepcopy(SPEC), "title": f"{app.config['SITE_NAME']} API"}
    api = JsonApi(app, spec_kwargs=spec)
    register_components(api)
    for name in ENDPOINT_MODULES:
        import_module(f"{__name__}.{name}")  # before registering: Flask freezes bp then
    api.register_blueprint(bp)
    app.register_blueprint(docs_page.bp, url_prefix=bp.url_prefix)
    csrf.exempt(bp)  # tokens need no CSRF; session writes are checked in auth.py
    return api


def register_components(api: JsonApi) -> None:
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api.spec.components.response(
        "Unauthenticated",
        {
            "description": "No, a malformed, an unknown, an expired or a revoked token",
            "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}},
            "content": {"application/json": {"schema": ErrorSchema}},
        },
    )
    api.spec.components.response(
        "Throttled",
        {
            "description": "Too many failed logins: retry after the given seconds",
            "headers": {"Retry-After": {"schema": {"type": "integer"}, "required": True}},
            "content": {"application/json": {"schema": ErrorSchema}},
        },
    )
