"""POST /tokens, DELETE /tokens/current, GET /me and how requests authenticate."""

from datetime import timedelta

import pytest

from devkit.accounts import PASSWORD, log_in, make_user
from devkit.api import assert_error, bearer, make_token
from project.api import views
from project.auth.service import Throttled
from project.models import ApiToken, utcnow


@pytest.fixture
def token(app, user):
    return make_token(app, user)


def post_token(client, email="alice@example.com", password=PASSWORD):
    return client.post("/api/v1/tokens", json={"email": email, "password": password})


def test_token_for_good_credentials_works_as_bearer(app, client, user):
    response = post_token(client)
    assert response.status_code == 201
    body = response.get_json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == app.config["API_TOKEN_TTL_SECONDS"]
    assert body["expires_at"].endswith("+00:00")
    assert response.headers["Cache-Control"] == "no-store"
    me = client.get("/api/v1/me", headers=bearer(body["token"]))
    assert me.status_code == 200
    assert me.get_json()["email"] == "alice@example.com"


def test_token_is_stored_hashed(app, client, user):
    secret = post_token(client).get_json()["token"]
    with app.app_context():
        stored = ApiToken.get()
    assert stored.token_hash != secret and len(stored.token_hash) == 64


@pytest.mark.parametrize("password", ["wrong password", PASSWORD.upper()])
def test_bad_credentials_are_401(client, user, password):
    response = post_token(client, password=password)
    assert_error(response, 401, "invalid_credentials")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_unknown_email_is_401(client, user):
    assert_error(post_token(client, email="bob@example.com"), 401, "invalid_credentials")


def test_throttled_login_is_429_with_retry_after(client, user, monkeypatch):
    def throttled(email, password, client_ip):
        raise Throttled(30)

    monkeypatch.setattr(views, "authenticate", throttled)
    response = post_token(client)
    assert_error(response, 429, "throttled")
    assert response.headers["Retry-After"] == "30"


def test_missing_password_is_422_naming_the_field(client, user):
    response = client.post("/api/v1/tokens", json={"email": "alice@example.com"})
    error = assert_error(response, 422, "validation_failed")
    assert "password" in error["fields"]


def test_wrong_type_is_400_naming_the_field(client, user):
    response = client.post("/api/v1/tokens", json={"email": "alice@example.com", "password": 5})
    error = assert_error(response, 400, "invalid_type")
    assert "password" in error["fields"]


def test_body_that_is_not_an_object_is_400(client, user):
    assert_error(client.post("/api/v1/tokens", json=["a", "b"]), 400, "invalid_type")


@pytest.mark.parametrize("data", [b"{not json", b"", b'{"email": '])
def test_malformed_json_is_400(client, data):
    response = client.post("/api/v1/tokens", data=data, content_type="application/json")
    assert_error(response, 400, "malformed_json")


def test_form_body_is_415(client, user):
    response = client.post("/api/v1/tokens", data={"email": "alice@example.com", "password": "x"})
    assert_error(response, 415, "unsupported_media_type")


def test_body_over_the_limit_is_413(app, client):
    big = b'{"email": "' + b"a" * app.config["MAX_CONTENT_LENGTH"] + b'"}'
    response = client.post("/api/v1/tokens", data=big, content_type="application/json")
    assert_error(response, 413)


def test_me_without_credentials_is_401_with_challenge(client):
    response = client.get("/api/v1/me")
    assert_error(response, 401, "unauthenticated")
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="api"'


@pytest.mark.parametrize(
    "header", ["Bearer nonsense", "Bearer ", "Basic YWxpY2U6eA==", "Token abc", "Bearer"]
)
def test_bad_authorization_header_is_401(client, token, header):
    response = client.get("/api/v1/me", headers={"Authorization": header})
    assert_error(response, 401, "invalid_token")
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_expired_token_is_401(app, client, token):
    with app.app_context():
        ApiToken.update(expires_at=utcnow() - timedelta(seconds=1)).execute()
    assert_error(client.get("/api/v1/me", headers=bearer(token)), 401, "invalid_token")


def test_token_of_a_disabled_user_is_401(app, client):
    token = make_token(app, make_user(app, "off@example.com", active=False))
    assert_error(client.get("/api/v1/me", headers=bearer(token)), 401, "invalid_token")


def test_revoked_token_stops_working(client, token):
    assert client.delete("/api/v1/tokens/current", headers=bearer(token)).status_code == 204
    assert_error(client.get("/api/v1/me", headers=bearer(token)), 401, "invalid_token")
    response = client.delete("/api/v1/tokens/current", headers=bearer(token))
    assert_error(response, 401, "invalid_token")


def test_revoking_one_token_keeps_the_others(app, client, user, token):
    other = make_token(app, user)
    client.delete("/api/v1/tokens/current", headers=bearer(token))
    assert client.get("/api/v1/me", headers=bearer(other)).status_code == 200


def test_revoke_without_token_is_401(client):
    assert_error(client.delete("/api/v1/tokens/current"), 401, "unauthenticated")


def test_session_has_no_token_to_revoke(client, user):
    log_in(client, user)
    assert_error(client.delete("/api/v1/tokens/current"), 401, "token_required")


def test_last_use_is_recorded(app, client, token):
    client.get("/api/v1/me", headers=bearer(token))
    with app.app_context():
        assert ApiToken.get().last_used_at is not None


def test_me_from_the_browser_session(client, user):
    log_in(client, user)
    response = client.get("/api/v1/me")
    assert response.status_code == 200
    assert response.get_json()["id"] == user.id


def test_me_shape(client, user, token):
    body = client.get("/api/v1/me", headers=bearer(token)).get_json()
    assert set(body) == {"id", "email", "role", "created_at"}
    assert body["role"] == "user"


def test_a_bad_token_is_401_even_with_a_session(client, user):
    log_in(client, user)
    response = client.get("/api/v1/me", headers=bearer("not-a-token"))
    assert_error(response, 401, "invalid_token")


@pytest.fixture
def clock(monkeypatch):
    """project.api.bearer_tokens' idea of now, set by the test."""
    now = {"at": utcnow()}
    monkeypatch.setattr("project.api.bearer_tokens.utcnow", lambda: now["at"])
    return now


def stored(app):
    with app.app_context():
        return ApiToken.get()


def test_last_use_is_written_at_most_once_a_minute(app, client, token, clock):
    client.get("/api/v1/me", headers=bearer(token))
    first = stored(app).last_used_at
    clock["at"] += timedelta(seconds=60)
    client.get("/api/v1/me", headers=bearer(token))
    assert stored(app).last_used_at == first  # within the interval: no write
    clock["at"] += timedelta(seconds=1)
    client.get("/api/v1/me", headers=bearer(token))
    assert stored(app).last_used_at == clock["at"]


def test_a_token_ends_at_its_expiry_instant(app, client, token, clock):
    clock["at"] = stored(app).expires_at - timedelta(microseconds=1)
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    clock["at"] += timedelta(microseconds=1)
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401
