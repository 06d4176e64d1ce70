"""CRUD on /api/v1/notes, pagination, ownership, and the JSON error contract."""

import pytest

from devkit.accounts import log_in, make_user
from devkit.api import assert_error, bearer, make_token, page_csrf_token
from project.models import Note


@pytest.fixture
def auth(app, user):
    return bearer(make_token(app, user))


@pytest.fixture
def other_auth(app):
    return bearer(make_token(app, make_user(app, "mallory@example.com")))


def create(client, auth, title="Groceries", body="milk"):
    response = client.post("/api/v1/notes", json={"title": title, "body": body}, headers=auth)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_create_then_read(client, auth):
    note = create(client, auth)
    assert note["title"] == "Groceries" and note["body"] == "milk"
    assert note["created_at"].endswith("+00:00")
    assert client.get(f"/api/v1/notes/{note['id']}", headers=auth).get_json() == note


def test_create_without_body_field_defaults_to_empty(client, auth):
    response = client.post("/api/v1/notes", json={"title": "Just a title"}, headers=auth)
    assert response.status_code == 201
    assert response.get_json()["body"] == ""


def test_patch_changes_only_given_fields(client, auth):
    note = create(client, auth)
    response = client.patch(f"/api/v1/notes/{note['id']}", json={"body": "eggs"}, headers=auth)
    assert response.status_code == 200
    changed = response.get_json()
    assert (changed["title"], changed["body"]) == ("Groceries", "eggs")
    assert changed["updated_at"] >= note["updated_at"]


def test_delete_removes_the_row(app, client, auth):
    note = create(client, auth)
    response = client.delete(f"/api/v1/notes/{note['id']}", headers=auth)
    assert response.status_code == 204 and response.data == b""
    with app.app_context():
        assert not Note.select().where(Note.id == note["id"]).exists()
    assert_error(client.get(f"/api/v1/notes/{note['id']}", headers=auth), 404, "not_found")


def test_list_pages_with_a_cursor_newest_first(client, auth, other_auth):
    ids = [create(client, auth, title=f"n{i}")["id"] for i in range(5)]
    create(client, other_auth, title="not yours")
    seen, cursor = [], None
    while True:
        query = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = client.get("/api/v1/notes", query_string=query, headers=auth).get_json()
        seen += [note["id"] for note in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(ids, reverse=True)


def test_list_is_empty_for_a_new_user(client, auth):
    assert client.get("/api/v1/notes", headers=auth).get_json() == {
        "items": [],
        "next_cursor": None,
    }


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_another_users_note_answers_as_a_missing_one(app, client, auth, other_auth, method):
    """F-23: 404 with the same message as for an unused id (no existence oracle), and
    the note is untouched."""
    note = create(client, other_auth)
    theirs = getattr(client, method)(f"/api/v1/notes/{note['id']}", json={}, headers=auth)
    error = assert_error(theirs, 404, "not_found")
    assert error["message"] == f"there is no note {note['id']}"
    assert client.get(f"/api/v1/notes/{note['id']}", headers=other_auth).status_code == 200


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_missing_note_is_404(client, auth, method):
    response = getattr(client, method)("/api/v1/notes/999999", json={}, headers=auth)
    assert_error(response, 404, "not_found")


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"body": "no title"}, "title"),
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "ok", "body": "x" * 10_001}, "body"),
        ({"title": "nul\x00"}, "title"),
        ({"title": "ok", "colour": "red"}, "colour"),
    ],
)
def test_invalid_note_is_422_naming_the_field(client, auth, payload, field):
    error = assert_error(client.post("/api/v1/notes", json=payload, headers=auth), 422)
    assert error["code"] == "validation_failed"
    assert field in error["fields"]


@pytest.mark.parametrize("payload", [{"title": 5}, {"title": None}, {"title": ["a"]}])
def test_wrong_type_is_400(client, auth, payload):
    error = assert_error(client.post("/api/v1/notes", json=payload, headers=auth), 400)
    assert error["code"] == "invalid_type" and "title" in error["fields"]


def test_patch_with_wrong_type_is_400(client, auth):
    note = create(client, auth)
    response = client.patch(f"/api/v1/notes/{note['id']}", json={"body": 1}, headers=auth)
    assert_error(response, 400, "invalid_type")


def test_query_of_wrong_type_is_400_and_out_of_range_is_422(client, auth):
    assert_error(client.get("/api/v1/notes?limit=ten", headers=auth), 400, "invalid_type")
    error = assert_error(client.get("/api/v1/notes?limit=0", headers=auth), 422)
    assert "limit" in error["fields"]


def test_malformed_json_is_400(client, auth):
    response = client.post("/api/v1/notes", data="{", content_type="application/json", headers=auth)
    assert_error(response, 400, "malformed_json")


def test_text_body_is_415(client, auth):
    response = client.post("/api/v1/notes", data="title", content_type="text/plain", headers=auth)
    assert_error(response, 415, "unsupported_media_type")


def test_body_over_the_limit_is_413(app, client, auth):
    size = app.config["MAX_CONTENT_LENGTH"] + 1
    response = client.post("/api/v1/notes", json={"title": "t", "body": "x" * size}, headers=auth)
    assert_error(response, 413)


def test_auth_is_checked_before_the_body(client):
    response = client.post("/api/v1/notes", data="{", content_type="application/json")
    assert_error(response, 401, "unauthenticated")


@pytest.mark.parametrize(
    "path", ["/api/v1/nope", "/api/v1/notes/abc", "/api/v1/notes/0", "/api/v2/notes"]
)
def test_unknown_api_path_is_json_404(client, path):
    assert_error(client.get(path), 404, "not_found")


def test_out_of_range_id_is_404_not_a_crash(client, auth):
    assert_error(client.get(f"/api/v1/notes/{2**63}", headers=auth), 404)


def test_wrong_method_is_json_405_with_allow(client, auth):
    response = client.put("/api/v1/notes", json={}, headers=auth)
    assert_error(response, 405, "method_not_allowed")
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}
    assert_error(client.put("/api/v1/tokens"), 405)


def test_html_pages_keep_html_errors(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"


def test_session_reads_need_no_csrf_token(app, client, user):
    app.config["WTF_CSRF_ENABLED"] = True
    log_in(client, user)
    assert client.get("/api/v1/notes").status_code == 200


def test_session_writes_need_the_csrf_header(app, client, user):
    app.config["WTF_CSRF_ENABLED"] = True
    log_in(client, user)
    response = client.post("/api/v1/notes", json={"title": "t"})
    assert_error(response, 400, "csrf_failed")
    headers = {"X-CSRFToken": page_csrf_token(client)}
    assert client.post("/api/v1/notes", json={"title": "t"}, headers=headers).status_code == 201


def test_token_writes_need_no_csrf(app, client, auth):
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post("/api/v1/notes", json={"title": "t"}, headers=auth).status_code == 201


def test_unexpected_failure_is_json_500_without_details(app, client, auth, monkeypatch):
    from project.notes import service

    def broken(*args, **kwargs):
        raise RuntimeError("secret detail")

    monkeypatch.setattr(service, "list_notes", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    error = assert_error(client.get("/api/v1/notes", headers=auth), 500, "internal_server_error")
    assert "secret" not in error["message"]
