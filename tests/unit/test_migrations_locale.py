"""Migration 008: users.locale, a nullable column added without rebuilding the table."""

import peewee
import pytest

from devkit.testapp import migrated_up_to
from project.extensions import db
from project.migrate import apply_pending, router
from project.models import User


@pytest.fixture
def at_007(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("APP_VAR_DIR", str(tmp_path / "var"))
    with migrated_up_to("007_two_factor", database_url) as app:
        users = peewee.Table("users").bind(db)
        row = {"email": "a@example.com", "password_hash": "x", "role": "user", "active": True}
        users.insert(created_at="2020-01-01 00:00:00", session_token="t" * 43, **row).execute()
        peewee.Table("notes").bind(db).insert(
            owner_id=1, title="kept", body="", created_at="2020-01-01", updated_at="2020-01-01"
        ).execute()
        yield app


def test_008_adds_an_empty_locale_and_keeps_every_row(at_007):
    assert apply_pending() == ["008_locale"]
    assert User.get().locale is None  # "not chosen": the browser decides until the user does
    assert peewee.Table("notes").bind(db).select().count() == 1  # users was not rebuilt


def test_008_rolls_back_and_applies_again(at_007):
    router().run("008_locale")
    router().rollback()
    assert "locale" not in {c.name for c in db.get_columns("users")}
    assert apply_pending() == ["008_locale"]
