"""Migration 006: credential stamps; tokens from before it keep working until a change."""

import peewee
import pytest

from devkit.testapp import migrated_up_to
from project.api.bearer_tokens import find_live_token, hash_token
from project.auth.service import end_all_sessions
from project.extensions import db
from project.migrate import apply_pending, router
from project.models import User


@pytest.fixture
def at_004(database_url, tmp_path, monkeypatch):
    """A database migrated up to 004, with one user and one token from that era."""
    monkeypatch.setenv("APP_VAR_DIR", str(tmp_path / "var"))
    with migrated_up_to("005_sessions", database_url) as app:
        users = peewee.Table("users").bind(db)
        row = {"email": "a@example.com", "password_hash": "x", "role": "user", "active": True}
        users.insert(created_at="2020-01-01 00:00:00", session_token="t" * 43, **row).execute()
        tokens = peewee.Table("api_tokens").bind(db)
        tokens.insert(
            user_id=1,
            token_hash=hash_token("old-secret"),
            created_at="2020-01-01 00:00:00",
            expires_at="2999-01-01 00:00:00",
            revoked=False,
        ).execute()
        notes = peewee.Table("notes").bind(db)
        notes.insert(
            owner_id=1,
            title="kept",
            body="",
            created_at="2020-01-01 00:00:00",
            updated_at="2020-01-01 00:00:00",
        ).execute()
        yield app


def kept_rows():
    return [peewee.Table(name).bind(db).select().count() for name in TABLES]


TABLES = ("users", "api_tokens", "notes")


def test_006_keeps_old_tokens_alive_until_the_next_credential_change(at_004):
    # Every later migration too: the models below are today's (users.locale is 008's).
    assert apply_pending()[0] == "006_tokens"
    assert kept_rows() == [1, 1, 1]  # no table was rebuilt (a rebuild of users cascades)
    assert find_live_token("old-secret") is not None
    end_all_sessions(User.get())
    assert find_live_token("old-secret") is None


def test_006_rolls_back_and_applies_again(at_004):
    router().run("006_tokens")
    router().rollback()
    assert kept_rows() == [1, 1, 1]
    assert "stamp" not in {c.name for c in db.get_columns("api_tokens")}
    assert "credential_stamp" not in {c.name for c in db.get_columns("users")}
    assert "006_tokens" in apply_pending()
