"""The server-rendered /notes/ page: list, create and delete without JavaScript."""

import re

import pytest

from devkit.accounts import log_in, make_user
from devkit.api import page_csrf_token
from devkit.testapp import app_log_text
from project.models import Note


@pytest.fixture
def logged_in(client, user):
    log_in(client, user)
    return client


def add_note(app, owner, title="Groceries"):
    with app.app_context():
        return Note.create(owner=owner, title=title, body="milk")


def test_anonymous_visitors_are_refused(client):
    assert client.get("/notes/").status_code in (302, 401)


def test_lists_only_my_notes_in_the_enhanceable_container(app, logged_in, user):
    add_note(app, user, "mine")
    add_note(app, make_user(app, "bob@example.com"), "bobs")
    html = logged_in.get("/notes/").get_data(as_text=True)
    assert "data-notes-app" in html and 'data-notes-url="/api/v1/notes"' in html
    assert "mine" in html and "bobs" not in html


def test_page_has_no_inline_script_or_style(logged_in):
    html = logged_in.get("/notes/").get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)|<style|\sstyle=|\son[a-z]+=", html)


def test_create_form_adds_a_note(app, logged_in, user):
    response = logged_in.post("/notes/", data={"title": "Call mum", "body": ""})
    assert response.status_code == 303
    with app.app_context():
        assert Note.get(Note.title == "Call mum").owner_id == user.id
    assert "Call mum" in logged_in.get("/notes/").get_data(as_text=True)


@pytest.mark.parametrize("title", ["", "x" * 201, "nul\x00"])
def test_invalid_form_is_shown_again(logged_in, title):
    response = logged_in.post("/notes/", data={"title": title})
    assert response.status_code == 422
    assert "data-notes-app" in response.get_data(as_text=True)


def test_delete_button_removes_the_note(app, logged_in, user):
    note = add_note(app, user)
    assert logged_in.post(f"/notes/{note.id}/delete").status_code == 303
    with app.app_context():
        assert not Note.select().where(Note.id == note.id).exists()


def test_cannot_delete_someone_elses_note(app, logged_in):
    """F-23: someone else's note answers 404, as a missing one does, and stays."""
    note = add_note(app, make_user(app, "bob@example.com"))
    assert logged_in.post(f"/notes/{note.id}/delete").status_code == 404
    assert logged_in.post("/notes/999999/delete").status_code == 404
    with app.app_context():
        assert Note.select().where(Note.id == note.id).exists()


@pytest.mark.parametrize("number", ["99999999999999999999999", str(2**31)])
def test_huge_note_id_is_404_not_500(app, logged_in, number):
    """F-18: an id beyond the database's integer overflowed (500 and a traceback)."""
    app.testing = False  # errors become pages, as in production
    assert logged_in.post(f"/notes/{number}/delete").status_code == 404
    assert "Traceback" not in app_log_text(app)


def test_forms_require_the_csrf_token(app, logged_in, user):
    app.config["WTF_CSRF_ENABLED"] = True
    note = add_note(app, user)
    assert logged_in.post("/notes/", data={"title": "x"}).status_code == 400
    assert logged_in.post(f"/notes/{note.id}/delete").status_code == 400
    token = page_csrf_token(logged_in)
    response = logged_in.post("/notes/", data={"title": "x", "csrf_token": token})
    assert response.status_code == 303
