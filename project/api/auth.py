"""Who is calling: a bearer token, else the logged-in browser session (flask-login).

Tokens never need CSRF (a browser never adds them by itself); session cookies do, so unsafe
methods from a session must carry the Flask-WTF token in the X-CSRFToken header.
"""

from __future__ import annotations

import functools

from flask import current_app, g, request
from flask_babel import gettext
from flask_login import current_user

from ..extensions import csrf
from ..http_errors import BEARER_CHALLENGE, abort_with
from ..models import User
from . import bearer_tokens


def unauthorized(code: str, message: str, error: str | None = "invalid_token"):
    """401 with the RFC 6750 challenge, naming the token error when there is one."""
    challenge = BEARER_CHALLENGE + (f', error="{error}"' if error else "")
    abort_with(401, code, message, headers={"WWW-Authenticate": challenge})


def request_user() -> User:
    """The user making this request; aborts 401 (or 400 for a missing CSRF token)."""
    header = request.headers.get("Authorization")
    if header is not None:
        return bearer_user(header)
    if current_user.is_authenticated:
        check_session_csrf()
        return current_user._get_current_object()
    unauthorized(
        "unauthenticated", gettext("send 'Authorization: Bearer <token>' or log in"), error=None
    )


def bearer_user(header: str) -> User:
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        unauthorized("invalid_token", gettext("the Authorization header must be 'Bearer <token>'"))
    token = bearer_tokens.find_live_token(secret.strip())
    if token is None:
        unauthorized("invalid_token", gettext("the token is unknown, expired or revoked"))
    bearer_tokens.touch(token)
    g.api_token = token
    return token.user


def check_session_csrf() -> None:
    # The API blueprint is exempt from the global check (tokens need none), so do it here.
    if current_app.config["WTF_CSRF_ENABLED"]:
        csrf.protect()


def authentication_required(view):
    """Run `view` only for an authenticated caller, available as `g.api_user`."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        g.api_user = request_user()
        return view(*args, **kwargs)

    return wrapper
