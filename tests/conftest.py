"""Shared fixtures: each test gets its own app on its own database.

The database is a temp SQLite file, or the PostgreSQL database named by TEST_DATABASE_URL
(wiped and migrated afresh for every test).
"""

from __future__ import annotations

import contextlib
import os
import subprocess

import peewee
import pytest

from project.app import create_app
from project.config import PROJECT_ROOT
from project.extensions import db
from project.migrate import apply_pending

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
# Fixtures `smtp` (an in-process SMTP server) and `mail_app` for every test module.
pytest_plugins = ["tests.mail_support"]


def reset_postgresql(url: str) -> None:
    """Drop every table in the test database so migrations start from nothing."""
    from playhouse.db_url import connect

    database = connect(url)
    try:
        database.execute_sql("DROP SCHEMA public CASCADE")
        database.execute_sql("CREATE SCHEMA public")
    finally:
        database.close()


@pytest.fixture(scope="session", autouse=True)
def built_assets():
    """Pages link the built front-end: build it once if stale (a fingerprint check when not)."""
    result = subprocess.run(
        [PROJECT_ROOT / "scripts" / "build-assets", "--if-stale"], capture_output=True, text=True
    )
    if result.returncode != 0:
        pytest.exit(f"scripts/build-assets failed: {result.stderr.strip()}", returncode=1)


@pytest.fixture
def database_url(tmp_path) -> str:
    if TEST_DATABASE_URL:
        reset_postgresql(TEST_DATABASE_URL)
        return TEST_DATABASE_URL
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
def app(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("APP_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("APP_DATABASE_URL", database_url)
    app = create_app("test")
    with app.app_context():
        apply_pending()
        db.close()
    yield app
    close_all(db)


def close_all(database) -> None:
    """Close pooled connections so no ResourceWarning escapes the test."""
    if database.obj is not None and isinstance(database.obj, peewee.Database):
        database.obj.close_all() if hasattr(database.obj, "close_all") else database.obj.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


PASSWORD = "violet-harbor-42"


class AuthActions:
    """Register, log in and out through the real pages (CSRF is off in the test config)."""

    def __init__(self, app, client):
        self.app = app
        self.client = client

    def create_user(self, email="ann@example.com", password=PASSWORD, role="user"):
        from project.auth.service import create_user

        with self.app.app_context():
            return create_user(email, password, role=role)

    def register(self, email="ann@example.com", password=PASSWORD, confirm=None):
        data = {"email": email, "password": password, "confirm": confirm or password}
        return self.client.post("/auth/register", data=data)

    def login(self, email="ann@example.com", password=PASSWORD, remember=False, next=None):
        data = {"email": email, "password": password}
        if remember:
            data["remember"] = "y"
        return self.client.post(
            "/auth/login", query_string={"next": next} if next else {}, data=data
        )

    def logout(self):
        return self.client.post("/auth/logout")


@pytest.fixture
def auth(app, client):
    return AuthActions(app, client)


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
