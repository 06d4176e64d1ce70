"""Login sessions kept on the server: one `login_sessions` row per login, named by a secret.

flask-login stores `user.get_id()` in the session cookie (and, with "remember me", in the
remember cookie); here that id is a random secret naming a row, and only the secret's SHA-256
is stored. Each request costs one indexed read (the row joined with its user), and "last seen"
is written at most once a minute. A row unused for its idle timeout, or older than the absolute
lifetime, is refused and deleted: a copied cookie stops working on the server, whatever the
browser does with its expiry. Logging out deletes the row; a credential change deletes them all.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app, request, session
from flask_login import current_user, login_user, logout_user

from .. import i18n
from ..extensions import db
from ..models import LoginSession, User, utcnow

# Write "last seen" at most this often per session, so reads do not each cost a write.
TOUCH_INTERVAL = timedelta(seconds=60)
ADDRESS_LENGTH = 64
USER_AGENT_LENGTH = 255


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def client_details() -> dict:
    """Where this request comes from, as shown in the user's list of sessions."""
    return {
        "client_address": (request.remote_addr or "")[:ADDRESS_LENGTH],
        "user_agent": request.user_agent.string[:USER_AGENT_LENGTH],
    }


def start_session(user: User, remember: bool) -> None:
    """Log `user` in on a fresh session: nothing from before the login is carried over."""
    session.clear()
    purge_expired(user)
    secret = secrets.token_urlsafe(32)
    row = LoginSession.create(
        user=user, key_hash=hash_secret(secret), remember=remember, **client_details()
    )
    attach(user, row, secret)
    login_user(user, remember=remember)
    i18n.on_login(user)


def attach(user: User, row: LoginSession, secret: str) -> None:
    """Make `row` the session `user` is loaded in (User.get_id hands out its secret)."""
    user.login_secret = secret
    user.login_session = row


def load_user(secret: str) -> User | None:
    """The active user of the live session `secret` names, else None (an expired row goes)."""
    row = find_row(hash_secret(secret))
    if row is None:
        return None
    now = utcnow()
    if has_expired(row, now):
        LoginSession.delete().where(LoginSession.id == row.id).execute()
        return None
    touch(row, now)
    attach(row.user, row, secret)
    return row.user


# What the per-request lookup reads of the session row (the user comes whole).
ROW_FIELDS = (
    LoginSession.id,
    LoginSession.remember,
    LoginSession.created_at,
    LoginSession.last_seen_at,
)
_LOOKUP: dict[int, str] = {}


def lookup_sql() -> str:
    """The SQL of the per-request lookup, compiled once per database.

    peewee compiles a query's SQL afresh on every call; for this join that is about a
    thousand Python calls, a fifth of a logged-in page's work. The key hash is its only
    parameter.
    """
    key = id(db.obj)
    if key not in _LOOKUP:
        fields = (*ROW_FIELDS, *User._meta.sorted_fields)
        where = (LoginSession.key_hash == "") & User.active
        sql, params = LoginSession.select(*fields).join(User).where(where).sql()
        if params != [""]:
            raise RuntimeError(f"unexpected parameters {params!r} in {sql!r}")
        _LOOKUP[key] = sql
    return _LOOKUP[key]


def find_row(key_hash: str) -> LoginSession | None:
    """The session row with this key hash and its active user (`row.user`), in one read."""
    values = db.execute_sql(lookup_sql(), [key_hash]).fetchone()
    if values is None:
        return None
    split = len(ROW_FIELDS)
    row = build(LoginSession, ROW_FIELDS, values[:split])
    row.user = build(User, User._meta.sorted_fields, values[split:])
    return row


def build(model, fields, values):
    """A model instance from a row, converted as peewee's own cursor wrapper does."""
    data = {
        field.name: field.python_value(value) for field, value in zip(fields, values, strict=True)
    }
    instance = model(__no_default__=1, **data)
    instance._dirty.clear()
    return instance


def has_expired(row: LoginSession, now: datetime) -> bool:
    """Idle for longer than its timeout, or older than the absolute lifetime."""
    config = current_app.config
    idle = config["SESSION_REMEMBER_IDLE_TIMEOUT" if row.remember else "SESSION_IDLE_TIMEOUT"]
    too_idle = now - row.last_seen_at > timedelta(seconds=idle)
    return too_idle or now - row.created_at > timedelta(seconds=config["SESSION_MAX_LIFETIME"])


def purge_expired(user: User | None = None) -> int:
    """Delete rows that can no longer be used (closed browsers leave them): the user's, or
    everyone's (the hourly job)."""
    query = LoginSession.delete().where(expired_rows())
    if user is not None:
        query = LoginSession.delete().where((LoginSession.user == user.id) & expired_rows())
    return query.execute()


def expired_rows():
    """The condition `has_expired` states, as SQL."""
    config, now = current_app.config, utcnow()

    def idle_since(key: str) -> datetime:
        return now - timedelta(seconds=config[key])

    return (
        (LoginSession.created_at < now - timedelta(seconds=config["SESSION_MAX_LIFETIME"]))
        | (
            ~LoginSession.remember
            & (LoginSession.last_seen_at < idle_since("SESSION_IDLE_TIMEOUT"))
        )
        | (
            LoginSession.remember
            & (LoginSession.last_seen_at < idle_since("SESSION_REMEMBER_IDLE_TIMEOUT"))
        )
    )


def touch(row: LoginSession, now: datetime) -> None:
    if now - row.last_seen_at >= TOUCH_INTERVAL:
        details = client_details()
        LoginSession.update(last_seen_at=now, **details).where(LoginSession.id == row.id).execute()
        row.last_seen_at = now
        row.client_address = details["client_address"]


def current_row() -> LoginSession | None:
    """The login session of this request (loading the user if nobody has yet)."""
    if not current_user.is_authenticated:
        return None
    return getattr(current_user._get_current_object(), "login_session", None)


def end_session() -> None:
    """Log out here: delete this session's row; flask-login also deletes the remember cookie."""
    row = current_row()
    if row is not None:
        LoginSession.delete().where(LoginSession.id == row.id).execute()
    session.clear()
    logout_user()


def end_all(user: User) -> None:
    """End every session of `user`, on every device (credential changes, disabling)."""
    LoginSession.delete().where(LoginSession.user == user.id).execute()


def end_others(user: User, keep: LoginSession) -> int:
    """End every session of `user` but `keep`; returns how many ended."""
    query = LoginSession.delete().where(
        (LoginSession.user == user.id) & (LoginSession.id != keep.id)
    )
    return query.execute()


def end_one(user: User, session_id: int) -> bool:
    """End session `session_id` if it is one of `user`'s; False when there is no such one."""
    query = LoginSession.delete().where(
        (LoginSession.user == user.id) & (LoginSession.id == session_id)
    )
    return query.execute() == 1


def sessions_of(user: User) -> list[LoginSession]:
    """The user's live sessions, most recently used first."""
    now = utcnow()
    rows = LoginSession.select().where(LoginSession.user == user.id)
    live = [row for row in rows if not has_expired(row, now)]
    return sorted(live, key=lambda row: row.last_seen_at, reverse=True)


def has_remember_cookie() -> bool:
    return current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
