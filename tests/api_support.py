"""Helpers for the API and notes-page tests: users, tokens, logged-in sessions."""

from __future__ import annotations

import re
import secrets

from project.api.tokens import issue_token
from project.auth.service import create_user
from project.auth.sessions import hash_secret
from project.models import LoginSession, User

PASSWORD = "correct horse battery"


def make_user(app, email: str = "alice@example.com", active: bool = True) -> User:
    with app.app_context():
        user = create_user(email, PASSWORD)
        if not active:
            User.update(active=False).where(User.id == user.id).execute()
        return user


def make_token(app, user: User, ttl_seconds: int = 3600) -> str:
    with app.app_context():
        secret, _ = issue_token(user, ttl_seconds)
        return secret


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def log_in(client, user: User) -> None:
    """Log `user` in as flask-login would, without depending on the login form."""
    secret = "test-session-" + secrets.token_urlsafe(16)
    with client.application.app_context():
        LoginSession.create(user=user.id, key_hash=hash_secret(secret))
    with client.session_transaction() as session:
        session["_user_id"] = secret  # flask-login's id names a login_sessions row
        session["_fresh"] = True


def page_csrf_token(client) -> str:
    """The CSRF token the notes page hands to its script (data-csrf-token)."""
    html = client.get("/notes/").get_data(as_text=True)
    return re.search(r'data-csrf-token="([^"]+)"', html).group(1)


def assert_error(response, status: int, code: str | None = None) -> dict:
    """Check the JSON error shape and status; returns the "error" object."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert isinstance(error["message"], str) and error["message"]
    if code is not None:
        assert error["code"] == code
    return error
