"""Migration 004: a nullable email_confirmed_at; users from before it are not confirmed."""

import peewee
import pytest

from devkit.testapp import migrated_up_to
from project.extensions import db
from project.migrate import apply_pending, router


@pytest.fixture
def at_003(database_url, tmp_path, monkeypatch):
    """A database migrated up to 003, with one user from that era."""
    monkeypatch.setenv("APP_VAR_DIR", str(tmp_path / "var"))
    with migrated_up_to("003_api", database_url) as app:
        users = peewee.Table("users").bind(db)
        row = {"email": "a@example.com", "password_hash": "x", "role": "user", "active": True}
        users.insert(created_at="2020-01-01 00:00:00", session_token="t" * 43, **row).execute()
        yield app


def test_004_adds_a_nullable_column_and_leaves_users_unconfirmed(at_003):
    assert router().run("004_email") == ["004_email"]
    columns = {c.name: c for c in db.get_columns("users")}
    assert columns["email_confirmed_at"].null is True
    assert db.execute_sql("SELECT email_confirmed_at FROM users").fetchall() == [(None,)]


def test_004_rolls_back_and_applies_again(at_003):
    router().run("004_email")
    router().rollback()
    assert "email_confirmed_at" not in {c.name for c in db.get_columns("users")}
    assert router().run("004_email") == ["004_email"]
    assert "004_email" not in apply_pending()  # later migrations apply on top
