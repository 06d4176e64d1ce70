"""Shared fixtures: each test gets its own app on its own database.

The database is a temp SQLite file, or the PostgreSQL database named by TEST_DATABASE_URL
(wiped and migrated afresh for every test). The helpers behind the fixtures live in devkit/.
"""

from __future__ import annotations

import subprocess

import pytest

# devkit's checks (devkit.api.assert_error, ...) report like a test's own asserts.
pytest.register_assert_rewrite("devkit")

from devkit.accounts import AuthActions, make_user  # noqa: E402
from devkit.mail import smtp_server  # noqa: E402
from devkit.testapp import TEST_DATABASE_URL, close_all, reset_postgresql  # noqa: E402
from project.app import create_app  # noqa: E402
from project.config import PROJECT_ROOT  # noqa: E402
from project.extensions import db  # noqa: E402
from project.migrate import apply_pending  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def built_assets():
    """Pages link the built front-end and read the compiled translations: build both once if
    stale (a fingerprint check when not), as scripts/ctl does."""
    for script in ("build-assets", "build-translations"):
        result = subprocess.run(
            [PROJECT_ROOT / "scripts" / script, "--if-stale"], capture_output=True, text=True
        )
        if result.returncode != 0:
            pytest.exit(f"scripts/{script} failed: {result.stderr.strip()}", returncode=1)


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


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def auth(app, client):
    return AuthActions(app, client)


@pytest.fixture
def user(app):
    """alice@example.com, active, with devkit.accounts.PASSWORD."""
    return make_user(app)


@pytest.fixture
def smtp():
    """A running SMTP server on 127.0.0.1; `.port` and `.inbox`."""
    with smtp_server() as controller:
        yield controller


@pytest.fixture
def mail_app(app, smtp):
    """The test app sending through the in-process SMTP server."""
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port)
    return app
