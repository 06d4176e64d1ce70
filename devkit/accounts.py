"""Users for the unit tests: created directly, or through the real pages (`AuthActions`)."""

from __future__ import annotations

import secrets

from project.auth.service import create_user
from project.auth.sessions import hash_secret
from project.models import LoginSession, User

PASSWORD = "violet-harbor-42"


def make_user(app, email: str = "alice@example.com", active: bool = True) -> User:
    with app.app_context():
        user = create_user(email, PASSWORD)
        if not active:
            User.update(active=False).where(User.id == user.id).execute()
        return user


def log_in(client, user: User) -> None:
    """Log `user` in as flask-login would, without depending on the login form: a
    login_sessions row, and its secret in the session cookie."""
    secret = "test-session-" + secrets.token_urlsafe(16)
    with client.application.app_context():
        LoginSession.create(user=user.id, key_hash=hash_secret(secret))
    with client.session_transaction() as session:
        session["_user_id"] = secret  # flask-login's id names a login_sessions row
        session["_fresh"] = True


class AuthActions:
    """Register, log in and out through the real pages (CSRF is off in the test config)."""

    def __init__(self, app, client):
        self.app = app
        self.client = client

    def create_user(self, email="ann@example.com", password=PASSWORD, role="user"):
        with self.app.app_context():
            return create_user(email, password, role=role)

    def register(self, email="ann@example.com", password=PASSWORD, confirm=None):
        data = {"email": email, "password": password, "confirm": confirm or password}
        return self.client.post("/auth/register", data=data)

    def login(self, email="ann@example.com", password=PASSWORD, remember=False, next=None):
        data = {"email": email, "password": password}
        if remember:
            data["remember"] = "y"
        return self.client.post(
            "/auth/login", query_string={"next": next} if next else {}, data=data
        )

    def logout(self):
        return self.client.post("/auth/logout")
