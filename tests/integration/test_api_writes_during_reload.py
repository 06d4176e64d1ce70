"""Writes are not lost: notes created by concurrent API clients while `reload` runs."""

from __future__ import annotations

import sqlite3

import pytest

from devkit.writers import Writers, api

pytestmark = pytest.mark.integration

PASSWORD = "saffron-meadow-61"


def test_every_201_has_its_row_and_no_row_lacks_a_201(bundle):
    bundle.start("--workers", "3")
    bundle.ctl("create-user", "writer@example.com", "--password-stdin", stdin=PASSWORD + "\n")
    status, body = api(
        bundle.port, "POST", "/api/v1/tokens", {"email": "writer@example.com", "password": PASSWORD}
    )
    assert status == 201, body
    with Writers(bundle.port, body["token"]) as writers:
        for _ in range(3):
            bundle.ctl("reload")
    assert writers.other == []
    assert len(writers.created) > 50
    database = bundle.root / "var" / "data" / "app.db"
    with sqlite3.connect(database) as connection:
        titles = [row[0] for row in connection.execute("SELECT title FROM notes")]
    connection.close()
    assert sorted(titles) == sorted(writers.created)
