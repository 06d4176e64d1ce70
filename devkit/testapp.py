"""The unit tests' app: its database (temp SQLite or TEST_DATABASE_URL), migrations, its log."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import peewee

from project.app import create_app
from project.deploy.layout import PROJECT_ROOT, Layout
from project.extensions import db

# A PostgreSQL database the tests may wipe; empty: a temp SQLite file per test.
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")


def reset_postgresql(url: str) -> None:
    """Drop every table in the test database so migrations start from nothing."""
    from playhouse.db_url import connect

    database = connect(url)
    try:
        database.execute_sql("DROP SCHEMA public CASCADE")
        database.execute_sql("CREATE SCHEMA public")
    finally:
        database.close()


def close_all(database) -> None:
    """Close pooled connections so no ResourceWarning escapes the test."""
    if database.obj is not None and isinstance(database.obj, peewee.Database):
        database.obj.close_all() if hasattr(database.obj, "close_all") else database.obj.close()


@contextlib.contextmanager
def migrated_up_to(migration: str, database_url: str):
    """An app context on a fresh database migrated up to `migration` only (migration tests)."""
    from project.migrate import router

    if TEST_DATABASE_URL:
        reset_postgresql(TEST_DATABASE_URL)
    app = create_app("test", overrides={"DATABASE_URL": database_url})
    with app.app_context():
        router().run(migration)
        yield app
        db.close()
    db.obj.close_all()


def app_log_text(app) -> str:
    """Everything the app logger wrote to var/log/app.log so far."""
    for handler in app.logger.handlers:
        handler.flush()
    return Layout(PROJECT_ROOT, Path(app.config["VAR_DIR"])).app_log.read_text(encoding="utf-8")
