"""Application factory: the only place an app is built."""

from __future__ import annotations

from flask import Flask

from . import database
from .config import load_config
from .extensions import csrf, login_manager


def create_app(config_name: str | None = None, overrides: dict | None = None) -> Flask:
    """Build the app for config `config_name` (else APP_CONFIG); raises ConfigError."""
    app = Flask(__name__)
    app.config.from_mapping(load_config(config_name))
    app.config.from_mapping(overrides or {})
    database.init_app(app)
    login_manager.init_app(app)
    csrf.init_app(app)
    register_blueprints(app)
    return app


def register_blueprints(app: Flask) -> None:
    from . import api, auth, main, notes

    for blueprint in (main.bp, auth.bp, notes.bp):
        app.register_blueprint(blueprint)
    api.init_app(app)  # registers api.bp with its OpenAPI document and JSON errors
