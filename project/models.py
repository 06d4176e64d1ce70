"""peewee models. The schema is owned by `project/migrations/`; workers never create tables."""

import secrets
from datetime import datetime, timezone

import peewee
from flask_login import UserMixin

from .extensions import db

# Field limits, declared once: the columns below, the HTML forms and the API schemas use these.
EMAIL_MAX = 254  # RFC 5321's longest usable address
NOTE_TITLE_MAX = 200
NOTE_BODY_MAX = 10_000
# PostgreSQL text cannot hold NUL (SQLite can): every text input refuses it, so a NUL is a
# validation error on both databases instead of a 500 on one of them.
NUL = "\x00"
NUL_FREE = r"^[^\x00]*$"  # the same rule as a pattern, for regex-based validators


# What str.strip() removes, spelt out: JSON Schema's \s (ECMAScript's) is another set.
WHITESPACE_CLASS = "".join(f"\\u{ord(c):04x}" for c in map(chr, range(0x10000)) if c.isspace())
# A note title as a pattern for the API document: no NUL, at least one character that is
# not whitespace (is_blank and has_nul below, for clients that validate before sending).
TITLE_PATTERN = rf"^[^\x00]*[^\x00{WHITESPACE_CLASS}][^\x00]*$"


def is_blank(text: str) -> bool:
    """A note title needs a visible character: "   " would be an empty row with a Delete
    button. The form and the API both ask this, so the page behaves the same with and
    without JavaScript."""
    return not text.strip()


def has_nul(text: str) -> bool:
    return NUL in text


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
    email = peewee.CharField(max_length=EMAIL_MAX, unique=True)
    password_hash = peewee.CharField(max_length=255)
    role = peewee.CharField(max_length=20, default="user")
    active = peewee.BooleanField(default=True)
    created_at = peewee.DateTimeField(default=utcnow)
    # A per-user secret replaced on every credential change (password, log out everywhere,
    # disabling); cookies name a login session instead (LoginSession, auth/sessions.py).
    session_token = peewee.CharField(max_length=64, unique=True, default=new_session_token)
    # When the current address was shown to reach its owner (a link mailed to it was followed).
    email_confirmed_at = peewee.DateTimeField(null=True)
    # Replaced on every credential change (password change or reset, log out everywhere,
    # disable): an API token lives only while it carries the stamp its user has now.
    credential_stamp = peewee.CharField(max_length=32, default="")
    # The language pages and mails use for this user (project/i18n.py); None: not chosen yet.
    locale = peewee.CharField(max_length=16, null=True)

    class Meta:
        table_name = "users"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        """What flask-login puts in the cookies: the secret of this user's login session
        (auth/sessions.py attaches it), never the id or anything else that lasts."""
        secret = getattr(self, "login_secret", None)
        if secret is None:
            raise RuntimeError("log users in with project.auth.sessions.start_session")
        return secret


class LoginFailure(BaseModel):
    """One failed login, counted per account and per client address (see auth/throttle.py)."""

    scope = peewee.CharField(max_length=10)  # "account" or "address"
    key = peewee.CharField(max_length=EMAIL_MAX)  # an email or a client address
    failed_at = peewee.DateTimeField(default=utcnow, index=True)

    class Meta:
        table_name = "login_failures"
        indexes = ((("scope", "key", "failed_at"), False),)


class Note(BaseModel):
    owner = peewee.ForeignKeyField(User, backref="notes", on_delete="CASCADE", index=False)
    title = peewee.CharField(max_length=NOTE_TITLE_MAX)
    body = peewee.TextField(default="")  # NOTE_BODY_MAX is checked on input, not by the column
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


class LoginSession(BaseModel):
    """One login on one device: what the session and remember cookies point at.

    The cookies carry a random secret; only its SHA-256 is stored (see auth/sessions.py).
    Deleting the row ends the session on every server at once.
    """

    user = peewee.ForeignKeyField(User, backref="login_sessions", on_delete="CASCADE")
    key_hash = peewee.CharField(max_length=64, unique=True)
    remember = peewee.BooleanField(default=False)  # "remember me": the longer idle timeout
    created_at = peewee.DateTimeField(default=utcnow)
    last_seen_at = peewee.DateTimeField(default=utcnow)
    client_address = peewee.CharField(max_length=64, default="")
    user_agent = peewee.CharField(max_length=255, default="")

    class Meta:
        table_name = "login_sessions"


class LimitEvent(BaseModel):
    """One counted action (a mail sent, a registration), per scope and key (see limits.py)."""

    scope = peewee.CharField(max_length=20)
    key = peewee.CharField(max_length=254)
    at = peewee.DateTimeField(default=utcnow, index=True)

    class Meta:
        table_name = "limit_events"
        indexes = ((("scope", "key", "at"), False),)


MODELS = [User, LoginFailure, Note, ApiToken, LoginSession, LimitEvent]
