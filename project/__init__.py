"""Application factory: the only place an app is built."""

from __future__ import annotations

from importlib import import_module

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import (
    assets,
    build_info,
    database,
    error_pages,
    logs,
    mail,
    metrics,
    metrics_wsgi,
    security,
    session_cookie,
    worker_hooks,
)
from .config import PROJECT_ROOT, load_config
from .extensions import csrf, login_manager
from .health import PATH as HEALTH_PATH
from .health import HealthCheck

# Page blueprints: each names a subpackage exporting `bp`. A new feature adds one line here.
BLUEPRINTS = [
    "main",
    "auth",
    "account",
    "admin",
    "notes",
]


def create_app(config_name: str | None = None, overrides: dict | None = None) -> Flask:
    """Build the app for config `config_name` (else APP_CONFIG); raises ConfigError."""
    app = Flask(__name__)
    app.config.from_mapping(load_config(config_name))
    app.config.from_mapping(overrides or {})
    wrap_wsgi(app)
    logs.init_app(app)
    error_pages.init_app(app)
    database.init_app(app)
    session_cookie.init_app(app)
    login_manager.init_app(app)
    csrf.init_app(app)
    assets.init_app(app)
    security.init_app(app)
    mail.init_app(app)
    register_blueprints(app)
    worker_hooks.init_app(app)
    record_build_info(app)
    return app


def wrap_wsgi(app: Flask) -> None:
    """Health check in front of Flask; X-Forwarded-* believed only from the configured
    number of proxies (nginx: 1)."""
    app.wsgi_app = HealthCheck(app.wsgi_app)
    hops = app.config["PROXY_HOPS"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    # Outermost: it must see the TCP peer before ProxyFix rewrites it.
    metrics_wsgi.init_app(app, fixed_routes=(HEALTH_PATH,))


def record_build_info(app: Flask) -> None:
    release = build_info.release(app.config, PROJECT_ROOT)
    metrics.set_build_info(build_info.version(), release, app.config["CONFIG_NAME"])


def register_blueprints(app: Flask) -> None:
    from . import api

    for name in BLUEPRINTS:
        app.register_blueprint(import_module(f"{__name__}.{name}").bp)
    api.init_app(app)  # registers api.bp with its OpenAPI document and JSON errors
