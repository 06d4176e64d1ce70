"""One error system: every HTML error page comes from one template, every API error is one
JSON shape, and both always carry the request id."""

import re

import pytest
from flask import abort, template_rendered

from devkit.accounts import log_in, make_user
from devkit.api import bearer, make_token

ERROR_KEYS = {"code", "message", "fields", "request_id"}


@pytest.fixture
def error_app(app):
    """The app plus two routes that fail the ways views cannot be made to fail on demand."""

    @app.get("/slow-down")
    def slow_down():
        abort(429)

    @app.get("/explode")
    def explode():
        raise RuntimeError("kaboom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.config["WTF_CSRF_ENABLED"] = True
    return app


@pytest.fixture
def templates(error_app):
    """Names of the templates rendered by each request (top-level only, not extends)."""
    names = []

    def record(sender, template, context, **extra):
        names.append(template.name)

    template_rendered.connect(record, error_app)
    yield names
    template_rendered.disconnect(record, error_app)


def logged_in_client(app):
    client = app.test_client()
    log_in(client, make_user(app))
    return client


def html_error(app, status, path, method="get", logged_in=False):
    client = logged_in_client(app) if logged_in else app.test_client()
    response = getattr(client, method)(path)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "text/html"
    return response, response.get_data(as_text=True)


HTML_ERRORS = [
    (400, "/auth/login", "post", False),  # CSRF token missing
    (403, "/admin/users", "get", True),  # not an admin
    (404, "/no-such-page", "get", False),
    (405, "/auth/logout", "get", False),  # POST only
    (429, "/slow-down", "get", False),
    (500, "/explode", "get", False),
]


@pytest.mark.parametrize(("status", "path", "method", "logged_in"), HTML_ERRORS)
def test_every_html_error_uses_the_one_template(
    error_app, templates, status, path, method, logged_in
):
    html_error(error_app, status, path, method, logged_in)
    assert templates[-1:] == ["error.html"]


@pytest.mark.parametrize(("status", "path", "method", "logged_in"), HTML_ERRORS)
def test_every_html_error_page_has_name_sentence_link_and_request_id(
    error_app, status, path, method, logged_in
):
    response, html = html_error(error_app, status, path, method, logged_in)
    title = re.search(r"<title>(.*?)</title>", html).group(1)
    assert str(status) in title and title.endswith("· Project")
    request_id = response.headers["X-Request-ID"]
    line = rf'<p class="request-id">Request id: <code>{request_id}</code></p>'
    assert re.search(line, html), "the request id sits on one line with its label"
    content = html.split('<main class="content">', 1)[1]
    assert 'href="/"' in content or 'href="/auth/login"' in content
    # A plain sentence of our own, never werkzeug's stock text or a traceback.
    assert "If you entered the URL manually" not in html
    assert "kaboom" not in html and "Traceback" not in html
    assert re.search(r'<p class="error-message">[^<]+\.</p>', content)


def test_an_anonymous_visitor_is_offered_to_log_in(error_app):
    _, html = html_error(error_app, 404, "/no-such-page")
    assert 'href="/auth/login"' in html.split('<main class="content">', 1)[1]


def test_a_logged_in_user_is_offered_home_not_log_in(error_app):
    _, html = html_error(error_app, 403, "/admin/users", logged_in=True)
    content = html.split('<main class="content">', 1)[1]
    assert 'href="/"' in content and 'href="/auth/login"' not in content


def test_the_page_keeps_the_message_a_view_gave(error_app):
    """abort(403, "...") from a decorator: its sentence is shown, not the generic one."""
    _, html = html_error(error_app, 403, "/admin/users", logged_in=True)
    assert "This page is only for admin accounts." in html


def test_csrf_failure_page_says_what_to_do(error_app):
    _, html = html_error(error_app, 400, "/auth/login", "post")
    assert "security token" in html and "reload the page" in html


def test_csrf_failure_page_names_dropped_cookies_as_a_cause(error_app):
    """W4: a browser that refuses a Secure cookie over plain HTTP fails every retry."""
    _, html = html_error(error_app, 400, "/auth/login", "post")
    assert "refusing this site&#39;s cookies" in html and "see Sessions in the README" in html
    _, other = html_error(error_app, 404, "/nope")
    assert "cookies" not in other


def test_another_users_note_is_the_same_404_page(error_app, templates):
    owner, other = make_user(error_app), make_user(error_app, "bob@example.com")
    with error_app.app_context():
        from project.notes.service import create_note

        note = create_note(owner, "mine", "")
    client = error_app.test_client()
    log_in(client, other)
    error_app.config["WTF_CSRF_ENABLED"] = False
    response = client.post(f"/notes/{note.id}/delete")
    # 404, not 403: another user's note is not told apart from a missing one (F-23).
    assert response.status_code == 404 and templates[-1:] == ["error.html"]


def api_error(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert set(error) <= ERROR_KEYS
    assert error["request_id"] == response.headers["X-Request-ID"]
    return error


def test_api_view_errors_carry_the_request_id(error_app):
    """Errors raised by API views (not only werkzeug's own) include request_id."""
    client = error_app.test_client()
    error = api_error(client.get("/api/v1/me"), 401)
    assert error["code"] == "unauthenticated"
    token = bearer(make_token(error_app, make_user(error_app)))
    assert api_error(client.get("/api/v1/notes/99", headers=token), 404)["code"] == "not_found"
    invalid = api_error(client.post("/api/v1/notes", json={}, headers=token), 422)
    assert invalid["code"] == "validation_failed" and "title" in invalid["fields"]
    malformed = client.post(
        "/api/v1/notes", data="{", headers=token, content_type="application/json"
    )
    assert api_error(malformed, 400)["code"] == "malformed_json"


def test_api_routing_errors_carry_the_request_id(error_app):
    client = error_app.test_client()
    assert api_error(client.get("/api/v1/nowhere"), 404)["code"] == "not_found"
    wrong = client.put("/api/v1/me")
    assert api_error(wrong, 405)["code"] == "method_not_allowed"
    assert "GET" in wrong.headers["Allow"]


def test_api_session_write_without_csrf_token_is_json(error_app):
    client = logged_in_client(error_app)
    error = api_error(client.post("/api/v1/notes", json={"title": "x"}), 400)
    assert error["code"] == "csrf_failed"


def test_api_500_hides_the_cause(error_app):
    @error_app.get("/api/v1/explode")
    def api_explode():
        raise RuntimeError("kaboom")

    error = api_error(error_app.test_client().get("/api/v1/explode"), 500)
    assert error == {
        "code": "internal_server_error",
        "message": "internal server error",
        "request_id": error["request_id"],
    }


def test_openapi_documents_the_request_id(client):
    detail = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["ErrorDetail"]
    assert {"code", "message", "request_id"} <= set(detail["required"])
    assert "fields" in detail["properties"] and "fields" not in detail["required"]


def test_headers_the_client_needs_are_kept(error_app):
    @error_app.get("/api/v1/bare-401")
    def bare_401():
        abort(401)

    client = error_app.test_client()
    unauthorized = client.get("/api/v1/bare-401")
    api_error(unauthorized, 401)
    assert unauthorized.headers["WWW-Authenticate"] == 'Bearer realm="api"'
    page = client.get("/auth/logout")
    assert page.status_code == 405 and "POST" in page.headers["Allow"]
    assert "WWW-Authenticate" not in page.headers


def test_json_endpoints_of_pages_answer_the_same_shape(error_app):
    """The passkey calls of the browser's script get the API's error shape, request id too."""
    client = error_app.test_client()
    no_token = client.post("/auth/two-factor/passkey", json={})
    assert api_error(no_token, 400)["code"] == "csrf_failed"
    error_app.config["WTF_CSRF_ENABLED"] = False
    nobody = api_error(client.post("/auth/two-factor/passkey", json={}), 400)
    assert nobody["code"] == "no_pending_sign_in"
