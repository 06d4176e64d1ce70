"""peewee models. The schema is owned by `project/migrations/`; workers never create tables."""

import secrets
from datetime import datetime, timezone

import peewee
from flask_login import UserMixin

from .extensions import db


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class BaseModel(peewee.Model):
    class Meta:
        database = db


class User(UserMixin, BaseModel):
    email = peewee.CharField(max_length=254, unique=True)
    password_hash = peewee.CharField(max_length=255)
    role = peewee.CharField(max_length=20, default="user")
    active = peewee.BooleanField(default=True)
    created_at = peewee.DateTimeField(default=utcnow)
    # What flask-login keeps in the session and remember cookies instead of the id:
    # replacing it (password change, log out everywhere) invalidates every old cookie.
    session_token = peewee.CharField(max_length=64, unique=True, default=new_session_token)

    class Meta:
        table_name = "users"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return self.session_token


class LoginFailure(BaseModel):
    """One failed login, counted per account and per client address (see auth/throttle.py)."""

    scope = peewee.CharField(max_length=10)  # "account" or "address"
    key = peewee.CharField(max_length=254)
    failed_at = peewee.DateTimeField(default=utcnow, index=True)

    class Meta:
        table_name = "login_failures"
        indexes = ((("scope", "key", "failed_at"), False),)


MODELS = [User, LoginFailure]
