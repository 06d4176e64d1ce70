"""Starting and ending a login session (flask-login on Flask's signed cookie)."""

from __future__ import annotations

from flask import current_app, request, session
from flask_login import login_user, logout_user

from ..models import User


def start_session(user: User, remember: bool) -> None:
    """Log `user` in on a fresh session: nothing from before the login is carried over."""
    session.clear()
    login_user(user, remember=remember)


def end_session() -> None:
    """Log out here; flask-login then also deletes the remember cookie."""
    session.clear()
    logout_user()


def has_remember_cookie() -> bool:
    return current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
