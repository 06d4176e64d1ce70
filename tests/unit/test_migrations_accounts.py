"""Migration 002: session tokens for users that existed before it, distinct and required."""

import peewee
import pytest

from devkit.testapp import migrated_up_to
from project.extensions import db
from project.migrate import apply_pending, router


@pytest.fixture
def at_001(database_url, tmp_path, monkeypatch):
    """A database migrated up to 001 only, with two users from that era."""
    monkeypatch.setenv("APP_VAR_DIR", str(tmp_path / "var"))
    with migrated_up_to("001_initial", database_url) as app:
        users = peewee.Table("users").bind(db)
        for email in ("a@example.com", "b@example.com"):
            row = {"email": email, "password_hash": "x", "role": "user", "active": True}
            users.insert(created_at="2020-01-01 00:00:00", **row).execute()
        yield app


def test_existing_users_get_distinct_tokens(at_001):
    assert apply_pending()[0] == "002_accounts"
    tokens = [row[0] for row in db.execute_sql("SELECT session_token FROM users").fetchall()]
    assert len(tokens) == 2 and len(set(tokens)) == 2 and all(len(t) >= 40 for t in tokens)


def test_session_token_is_required_and_unique_after_002(at_001):
    apply_pending()
    columns = {c.name: c for c in db.get_columns("users")}
    assert columns["session_token"].null is False
    unique = [i for i in db.get_indexes("users") if i.columns == ["session_token"]]
    assert unique and unique[0].unique
    assert db.table_exists("login_failures")


def test_002_rolls_back_and_applies_again(at_001):
    apply_pending()
    while router().done[-1] != "001_initial":  # later migrations first, down to 002
        router().rollback()
    assert "session_token" not in {c.name for c in db.get_columns("users")}
    assert not db.table_exists("login_failures")
    assert apply_pending()[0] == "002_accounts"
