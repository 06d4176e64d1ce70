"""Signed, time-limited links for password reset and email confirmation (itsdangerous).

A token proves only that this site issued it, and when. Single use comes from what it is
checked against: a reset token carries a digest of the user's password hash and address, so
once the password changes (the reset itself, or a change in settings) it matches nothing. A
confirmation token names the address the account had and the one to confirm; once applied,
the account no longer matches it.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..models import User
from ..user_errors import UserError

# Salts keep one purpose's token from being accepted as another's.
RESET = "password-reset"
CONFIRM = "email-confirm"


class LinkInvalid(UserError):
    """Tampered, already used, or no longer matching the account."""

    def __init__(self, message: str | None = None):
        super().__init__(message or _("this link is not valid, or it was used already"))


class LinkExpired(LinkInvalid):
    def __init__(self):
        super().__init__(_("this link has expired"))


def serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=purpose)


def load(purpose: str, token: str, max_age: int) -> dict:
    """The payload of a valid token of `purpose`; LinkExpired or LinkInvalid otherwise."""
    try:
        data = serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired:
        raise LinkExpired() from None
    except BadSignature:
        raise LinkInvalid() from None
    return data


def fingerprint(user: User) -> str:
    """Changes whenever the password or the address does (the hash itself never leaves)."""
    state = f"{user.password_hash}\0{user.email}".encode()
    return hashlib.sha256(state).hexdigest()[:32]


def reset_token(user: User) -> str:
    return serializer(RESET).dumps({"user": user.id, "state": fingerprint(user)})


def user_for_reset(token: str) -> User:
    """The active user a reset token was issued to, if nothing changed since."""
    data = load(RESET, token, current_app.config["PASSWORD_RESET_MAX_AGE"])
    user = User.get_or_none(User.id == data["user"])
    if user is None or not user.is_active:
        raise LinkInvalid()
    if not hmac.compare_digest(fingerprint(user), data["state"]):
        raise LinkInvalid()
    return user


def confirm_token(user: User, address: str) -> str:
    """A link confirming `address` for `user`: its current one, or the one to change to."""
    return serializer(CONFIRM).dumps({"user": user.id, "from": user.email, "to": address})


def load_confirmation(token: str) -> tuple[User, str]:
    """(user, address to confirm) while the link still applies to the account."""
    data = load(CONFIRM, token, current_app.config["EMAIL_CONFIRM_MAX_AGE"])
    user = User.get_or_none(User.id == data["user"])
    if user is None or user.email != data["from"]:
        raise LinkInvalid()  # the address changed since: a newer link replaces this one
    if data["to"] == user.email and user.email_confirmed_at is not None:
        raise LinkInvalid()
    return user, data["to"]
