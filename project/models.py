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


def new_credential_stamp() -> str:
    return secrets.token_hex(16)


# Ids are 32-bit on PostgreSQL (serial); larger numbers can never match and would overflow.
MAX_ID = 2**31 - 1


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
    # When the current address was shown to reach its owner (a link mailed to it was followed).
    email_confirmed_at = peewee.DateTimeField(null=True)
    # Replaced on every credential change (password change or reset, log out everywhere,
    # disable): an API token lives only while it carries the stamp its user has now.
    credential_stamp = peewee.CharField(max_length=32, default="")

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


class Note(BaseModel):
    owner = peewee.ForeignKeyField(User, backref="notes", on_delete="CASCADE", index=False)
    title = peewee.CharField(max_length=200)
    body = peewee.TextField(default="")
    created_at = peewee.DateTimeField(default=utcnow)
    updated_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "notes"
        # Serves "this user's notes, in id order" (keyset pagination); also covers owner lookups.
        indexes = ((("owner", "id"), False),)


class ApiToken(BaseModel):
    """A bearer token for the JSON API; only the SHA-256 of the secret is stored."""

    user = peewee.ForeignKeyField(User, backref="api_tokens", on_delete="CASCADE")
    token_hash = peewee.CharField(max_length=64, unique=True)
    created_at = peewee.DateTimeField(default=utcnow)
    expires_at = peewee.DateTimeField()
    last_used_at = peewee.DateTimeField(null=True)
    revoked = peewee.BooleanField(default=False)
    # The user's credential_stamp when the token was issued (see User.credential_stamp).
    stamp = peewee.CharField(max_length=32, default="")

    class Meta:
        table_name = "api_tokens"


MODELS = [User, LoginFailure, Note, ApiToken]
