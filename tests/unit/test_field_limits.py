"""Field limits are declared once, beside the models, and every way in enforces the same ones:
the database column, the HTML forms and the API schemas."""

import pytest
from wtforms.validators import Length

from devkit.accounts import log_in, make_user
from devkit.api import bearer, make_token
from project.api import schemas
from project.auth import forms as auth_forms
from project.models import EMAIL_MAX, NOTE_BODY_MAX, NOTE_TITLE_MAX, Note, User, has_nul
from project.notes.forms import NoteForm


def test_the_limits_are_the_documented_ones():
    assert (NOTE_TITLE_MAX, NOTE_BODY_MAX, EMAIL_MAX) == (200, 10_000, 254)


def test_columns_are_sized_by_the_limits():
    assert Note.title.max_length == NOTE_TITLE_MAX
    assert User.email.max_length == EMAIL_MAX


def length_max(validators) -> int:
    return next(v.max for v in validators if hasattr(v, "max") and v.max not in (None, -1))


def test_forms_and_schemas_read_the_same_limits(app):
    with app.test_request_context():
        form = NoteForm(meta={"csrf": False})
        assert length_max(form.title.validators) == NOTE_TITLE_MAX
        assert length_max(form.body.validators) == NOTE_BODY_MAX
        login = auth_forms.LoginForm(meta={"csrf": False})
        lengths = [v for v in login.email.validators if isinstance(v, Length)]
        assert [v.max for v in lengths] == [EMAIL_MAX]
    assert length_max(schemas.NoteCreateSchema().fields["title"].validators) == NOTE_TITLE_MAX
    assert length_max(schemas.NoteCreateSchema().fields["body"].validators) == NOTE_BODY_MAX
    assert length_max(schemas.TokenRequestSchema().fields["email"].validators) == EMAIL_MAX


def test_the_nul_rule():
    assert has_nul("a\x00b") and not has_nul("plain") and not has_nul("")


@pytest.fixture
def both(app, client):
    """The page (logged in by session) and the API (a token) for one user."""
    user = make_user(app)
    log_in(client, user)
    return client, bearer(make_token(app, user))


CASES = [
    ({"title": "x" * NOTE_TITLE_MAX, "body": "y" * NOTE_BODY_MAX}, True),
    ({"title": "x" * (NOTE_TITLE_MAX + 1), "body": ""}, False),
    ({"title": "ok", "body": "y" * (NOTE_BODY_MAX + 1)}, False),
    ({"title": "nul\x00", "body": ""}, False),
    ({"title": "ok", "body": "nul\x00"}, False),
]


@pytest.mark.parametrize(("note", "valid"), CASES)
def test_page_and_api_agree_on_a_note(both, note, valid):
    client, token = both
    page = client.post("/notes/", data=note)
    api = client.post("/api/v1/notes", json=note, headers=token)
    assert (page.status_code, api.status_code) == ((303, 201) if valid else (422, 422))


@pytest.mark.parametrize(("length", "valid"), [(EMAIL_MAX, True), (EMAIL_MAX + 1, False)])
def test_register_form_and_token_api_agree_on_email_length(client, length, valid):
    email = "a" * (length - len("@example.com")) + "@example.com"
    form = client.post("/auth/register", data={"email": email, "password": "x", "confirm": "x"})
    too_long = "Field cannot be longer than" in form.get_data(as_text=True)
    api = client.post("/api/v1/tokens", json={"email": email, "password": "x"})
    assert too_long is not valid
    assert (api.status_code == 422) is not valid


def test_the_notes_page_tells_the_browser_the_limits(both):
    client, _ = both
    html = client.get("/notes/").get_data(as_text=True)
    assert f'maxlength="{NOTE_TITLE_MAX}"' in html and f'maxlength="{NOTE_BODY_MAX}"' in html
