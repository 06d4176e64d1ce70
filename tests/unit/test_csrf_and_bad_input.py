"""CSRF on every form, and malformed input that must end in a form error or 4xx, never 500."""

import re

import pytest

from devkit.accounts import PASSWORD

FORMS = [
    ("/auth/register", {"email": "ann@example.com", "password": PASSWORD, "confirm": PASSWORD}),
    ("/auth/login", {"email": "ann@example.com", "password": PASSWORD}),
    ("/auth/logout", {}),
    ("/auth/logout-everywhere", {}),
    ("/account/settings", {"current_password": PASSWORD}),
    ("/account/sessions/1/end", {}),
    ("/account/sessions/end-others", {}),
    ("/auth/forgot", {"email": "ann@example.com"}),
    ("/admin/users/2/disable", {}),
    ("/admin/users/2/enable", {}),
]


@pytest.fixture
def csrf_app(app):
    app.config["WTF_CSRF_ENABLED"] = True
    return app


def csrf_token(client, path="/auth/login"):
    page = client.get(path).data.decode()
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)


@pytest.mark.parametrize(("path", "data"), FORMS)
def test_every_form_refuses_a_missing_token(csrf_app, auth, path, data):
    response = csrf_app.test_client().post(path, data=data)
    assert response.status_code == 400
    assert b"security token" in response.data


@pytest.mark.parametrize(("path", "data"), FORMS)
def test_every_form_refuses_a_forged_token(csrf_app, path, data):
    client = csrf_app.test_client()
    csrf_token(client)
    response = client.post(path, data={**data, "csrf_token": "forged.token.value"})
    assert response.status_code == 400


def test_a_token_from_another_session_is_refused(csrf_app, auth):
    auth.create_user()
    attacker = csrf_app.test_client()
    stolen = csrf_token(attacker)
    victim = csrf_app.test_client()
    victim.get("/")
    data = {"email": "ann@example.com", "password": PASSWORD, "csrf_token": stolen}
    assert victim.post("/auth/login", data=data).status_code == 400


def test_login_with_a_valid_token_works(csrf_app, auth):
    auth.create_user()
    client = csrf_app.test_client()
    data = {"email": "ann@example.com", "password": PASSWORD, "csrf_token": csrf_token(client)}
    response = client.post("/auth/login", data=data)
    assert response.status_code == 302
    logout = {"csrf_token": csrf_token(client, "/account")}
    assert client.post("/auth/logout", data=logout).status_code == 302
    assert client.get("/account").status_code == 302


def test_logout_form_in_the_header_carries_a_valid_token(csrf_app, auth):
    auth.create_user()
    client = csrf_app.test_client()
    client.post(
        "/auth/login",
        data={"email": "ann@example.com", "password": PASSWORD, "csrf_token": csrf_token(client)},
    )
    page = client.get("/").data.decode()
    token = re.search(
        r'action="/auth/logout">\s*<input type="hidden" name="csrf_token" value="([^"]+)"', page
    )
    assert client.post("/auth/logout", data={"csrf_token": token.group(1)}).status_code == 302


def multipart(fields: dict[str, bytes]) -> bytes:
    parts = [
        b'--XX\r\nContent-Disposition: form-data; name="'
        + name.encode()
        + b'"\r\n\r\n'
        + value
        + b"\r\n"
        for name, value in fields.items()
    ]
    return b"".join(parts) + b"--XX--\r\n"


@pytest.mark.parametrize("path", ["/auth/register", "/auth/login"])
def test_non_utf8_fields_are_a_form_error(client, path):
    body = multipart(
        {"email": b"ann\xff@example.com", "password": b"violet\xfe\xffharbor", "confirm": b"x"}
    )
    response = client.post(path, data=body, content_type="multipart/form-data; boundary=XX")
    assert response.status_code == 200
    assert b"could not be read" in response.data


@pytest.mark.parametrize("path", ["/auth/register", "/auth/login"])
def test_raw_non_utf8_urlencoded_body_is_a_form_error(client, path):
    """Werkzeug drops a urlencoded body that is not UTF-8: every field is then missing."""
    body = b"email=ann\xff@example.com&password=violet\xfeharbor&confirm=x"
    response = client.post(path, data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert b"This field is required." in response.data


@pytest.mark.parametrize("path", ["/auth/register", "/auth/login"])
def test_undecodable_percent_escapes_are_not_an_error(client, path):
    """Werkzeug keeps "%FF" as the literal text "%FF": plain text to validate, no crash."""
    body = b"email=ann%FF%40example&password=violet%FEharbor&confirm=x"
    response = client.post(path, data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert b"Enter a valid email address." in response.data


def test_nul_characters_are_a_form_error(client, app):
    data = {"email": "ann\x00@example.com", "password": "violet\x00harbor", "confirm": "x"}
    response = client.post("/auth/register", data=data)
    assert response.status_code == 200
    assert b"could not be read" in response.data


def test_over_long_login_fields_are_form_errors(auth):
    response = auth.login(email="a" * 300 + "@example.com", password="p" * 500)
    assert response.status_code == 200
    assert b"Field cannot be longer than 254 characters." in response.data
    assert b"Field cannot be longer than 128 characters." in response.data


def test_empty_login_is_a_form_error(auth):
    response = auth.login(email="", password="")
    assert response.status_code == 200
    assert response.data.count(b"This field is required.") == 2


def test_huge_body_is_413_not_500(client, app):
    big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post("/auth/login", data={"email": big, "password": "x"})
    assert response.status_code == 413


def test_non_numeric_admin_ids_and_pages_are_not_errors(auth, client):
    auth.create_user("root@example.com", role="admin")
    auth.login("root@example.com")
    assert client.post("/admin/users/abc/disable").status_code == 404
    assert client.get("/admin/users?page=-5").status_code == 200
    assert client.get("/admin/users?page=zzz").status_code == 200
