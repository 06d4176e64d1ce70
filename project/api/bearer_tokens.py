"""Bearer tokens: a random secret shown once; the database keeps only its SHA-256.

A plain hash is enough (no salt, no slow KDF): the secret has 256 random bits, so it cannot be
guessed, and a fast hash keeps the lookup on every request cheap and indexable.

A token is live while it is unrevoked, unexpired, its user active, and it carries its user's
current credential stamp: every credential change replaces the stamp (auth/service.py), so
tokens issued before it end, and re-enabling an account does not bring them back.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from ..models import ApiToken, User, utcnow
from ..prepared import Prepared

# Record last use at most this often, so reads do not each cost a write.
TOUCH_INTERVAL = timedelta(seconds=60)


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def issue_token(user: User, ttl_seconds: int) -> tuple[str, ApiToken]:
    """A new token for `user`: (the secret to hand out, its row).

    It carries the stamp of `user` as loaded when the password was checked: a reset landing
    while this runs has replaced the stamp, so the token is born ended.
    """
    secret = secrets.token_urlsafe(32)
    token = ApiToken.create(
        user=user,
        token_hash=hash_token(secret),
        expires_at=utcnow() + timedelta(seconds=ttl_seconds),
        stamp=user.credential_stamp,
    )
    return secret, token


def live(now=None):
    """Condition on ApiToken joined with User: the token still works (at `now`, else now)."""
    return (
        (ApiToken.revoked == False)  # noqa: E712
        & (ApiToken.expires_at > (utcnow() if now is None else now))
        & (ApiToken.stamp == User.credential_stamp)
        & (User.active == True)  # noqa: E712
    )


def find_live_token(secret: str) -> ApiToken | None:
    """The live token for `secret`, else None."""
    return LIVE_TOKEN.first(token_hash=hash_token(secret), now=utcnow())


def live_token(token_hash, now):
    return (
        ApiToken.select(ApiToken, User)
        .join(User)
        .where((ApiToken.token_hash == token_hash) & live(now))
        .limit(1)
    )


# Run on every API request, so its SQL text is built once (prepared.py).
LIVE_TOKEN = Prepared(live_token, token_hash=ApiToken.token_hash, now=ApiToken.expires_at)


def live_tokens(user: User) -> list[ApiToken]:
    """The user's live tokens, newest first (what the settings page and GET /tokens list)."""
    return list(
        ApiToken.select(ApiToken, User)
        .join(User)
        .where((ApiToken.user == user.id) & live())
        .order_by(ApiToken.id.desc())
    )


def touch(token: ApiToken) -> None:
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > TOUCH_INTERVAL:
        ApiToken.update(last_used_at=now).where(ApiToken.id == token.id).execute()


def revoke(token: ApiToken) -> None:
    ApiToken.update(revoked=True).where(ApiToken.id == token.id).execute()


def revoke_owned(user: User, token_id: int) -> bool:
    """Revoke the user's live token `token_id`; False when the user has no such token."""
    token = (
        ApiToken.select(ApiToken.id)
        .join(User)
        .where((ApiToken.id == token_id) & (ApiToken.user == user.id) & live())
        .first()
    )
    if token is None:
        return False
    revoke(token)
    return True


def revoke_all(user: User) -> int:
    """Revoke every token of `user`; returns how many were still unrevoked."""
    query = ApiToken.update(revoked=True).where(
        (ApiToken.user == user.id) & (ApiToken.revoked == False)  # noqa: E712
    )
    return query.execute()
