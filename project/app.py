"""Application factory: the only place an app is built.

`create_app` does wiring only, one named step per concern; nothing here touches the database,
the filesystem or the environment at import time (the settings come from `load_config`).
"""

from __future__ import annotations

from flask import Flask

from . import (
    api,
    assets,
    build_info,
    converters,
    database,
    form_html,
    http_errors,
    i18n,
    jobs,
    logs,
    mail,
    metrics,
    metrics_wsgi,
    security,
    session_cookie,
    worker_hooks,
)
from .account import bp as account_bp
from .admin import bp as admin_bp
from .auth import bp as auth_bp
from .codeversion import loaded_code_fingerprint
from .config import PROJECT_ROOT, load_config
from .deploy.layout import PACKAGE
from .extensions import csrf, login_manager
from .health import PATH as HEALTH_PATH
from .health import HealthCheck
from .main import bp as main_bp
from .notes import bp as notes_bp
from .proxy import TrustedProxyFix
from .twofactor import bp as twofactor_bp

# Page blueprints, in registration order. A new feature imports its `bp` above and adds it here.
BLUEPRINTS = [
    main_bp,
    auth_bp,
    account_bp,
    admin_bp,
    notes_bp,
    twofactor_bp,
]

# What this worker imported, fixed when this module was first imported: `scripts/ctl reload`
# compares it with the code on disk to prove the new workers serve the new code.
LOADED_CODE = loaded_code_fingerprint()


def create_app(
    config_name: str | None = None, environ: dict | None = None, overrides: dict | None = None
) -> Flask:
    """Build the app for config `config_name` (else APP_CONFIG in `environ`); raises ConfigError."""
    # Named for the package, not this module: app.logger is then `project`, the parent of every
    # module's logger (`project.auth.emails`, `project.jobs.queue`), so their lines reach the
    # app log too. Templates and static files resolve from the package folder either way.
    app = Flask(PACKAGE)
    configure(app, config_name, environ, overrides)
    wrap_wsgi(app)
    init_extensions(app)
    register_blueprints(app)
    worker_hooks.init_app(app)
    record_build_info(app)
    form_html.install()  # same form HTML, rendered ~8x faster (form_html.py says why)
    return app


def configure(app: Flask, config_name, environ, overrides) -> None:
    app.config.from_mapping(load_config(config_name, environ=environ))
    app.config.from_mapping(overrides or {})


def wrap_wsgi(app: Flask) -> None:
    """Health check in front of Flask; X-Forwarded-* believed only from the configured
    proxy peers, and then only for the configured number of hops (nginx: 1)."""
    app.wsgi_app = HealthCheck(app.wsgi_app)
    if app.config["PROXY_HOPS"]:
        app.wsgi_app = TrustedProxyFix(
            app.wsgi_app, hops=app.config["PROXY_HOPS"], peers=app.config["PROXY_PEERS"]
        )
    # Outermost: it must see the TCP peer before the proxy fix rewrites it.
    metrics_wsgi.init_app(app, fixed_routes=(HEALTH_PATH,))


def init_extensions(app: Flask) -> None:
    logs.init_app(app)
    i18n.init_app(app)
    http_errors.init_app(app)
    database.init_app(app)
    session_cookie.init_app(app)
    login_manager.init_app(app)
    csrf.init_app(app)
    assets.init_app(app)
    security.init_app(app)
    mail.init_app(app)
    jobs.init_app(app)
    converters.init_app(app)  # before the blueprints: their routes use `<id:…>`


def record_build_info(app: Flask) -> None:
    release = build_info.release(app.config, PROJECT_ROOT)
    metrics.set_build_info(build_info.version(), release, app.config["CONFIG_NAME"])


def register_blueprints(app: Flask) -> None:
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    api.init_app(app)  # registers api.bp with its OpenAPI document
