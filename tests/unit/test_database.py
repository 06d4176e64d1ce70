import peewee
import pytest

from project.app import create_app
from project.database import DatabaseURLError, make_database
from project.extensions import db
from project.migrate import apply_pending, pending
from project.models import User


def pool_in_use():
    return len(db.obj._in_use)


def test_migrations_applied_once_and_idempotent(app):
    with app.app_context():
        assert pending() == []
        assert apply_pending() == []
        assert User.table_exists()
        history = db.execute_sql("SELECT name FROM migratehistory").fetchall()
    assert [name for (name,) in history] == sorted(name for (name,) in history)
    assert len(history) == len(set(history))


def test_fresh_database_gets_every_migration(tmp_path, monkeypatch):
    monkeypatch.setenv("APP_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("APP_DATABASE_URL", f"sqlite:///{tmp_path / 'fresh.db'}")
    fresh = create_app("test")
    with fresh.app_context():
        first = apply_pending()
        assert first and first[0].startswith("001_")
        assert apply_pending() == []
        db.close()
    db.obj.close_all()


def test_creating_the_app_opens_no_connection(app):
    assert db.is_closed()
    assert pool_in_use() == 0


def test_connection_returned_after_each_request(app, client):
    assert client.get("/healthz").status_code == 200
    assert db.is_closed()
    assert pool_in_use() == 0


def test_connection_returned_when_the_view_raises(app):
    @app.get("/boom")
    def boom():
        User.select().count()
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert db.is_closed()
    assert pool_in_use() == 0


def test_sqlite_uses_wal_and_busy_timeout(app):
    if not isinstance(db.obj, peewee.SqliteDatabase):
        pytest.skip("SQLite-specific: this run uses TEST_DATABASE_URL (PostgreSQL)")
    with app.app_context():
        assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute_sql("PRAGMA busy_timeout").fetchone()[0] == 5000
        db.close()


def test_unsupported_database_url_is_a_clear_error(app):
    with pytest.raises(DatabaseURLError, match="unsupported database URL 'mysql://x'"):
        make_database("mysql://x", app.config)
