"""Bearer tokens: a random secret shown once; the database keeps only its SHA-256.

A plain hash is enough (no salt, no slow KDF): the secret has 256 random bits, so it cannot be
guessed, and a fast hash keeps the lookup on every request cheap and indexable.
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
    """A new token for `user`: (the secret to hand out, its row)."""
    secret = secrets.token_urlsafe(32)
    token = ApiToken.create(
        user=user,
        token_hash=hash_token(secret),
        expires_at=utcnow() + timedelta(seconds=ttl_seconds),
    )
    return secret, token


def find_live_token(secret: str) -> ApiToken | None:
    """The unrevoked, unexpired token for `secret` whose user is active, else None."""
    return LIVE_TOKEN.first(token_hash=hash_token(secret), now=utcnow())


def live_token(token_hash, now):
    return (
        ApiToken.select(ApiToken, User)
        .join(User)
        .where(
            (ApiToken.token_hash == token_hash)
            & (ApiToken.revoked == False)  # noqa: E712
            & (ApiToken.expires_at > now)
            & (User.active == True)  # noqa: E712
        )
        .limit(1)
    )


# Run on every API request, so its SQL text is built once (prepared.py).
LIVE_TOKEN = Prepared(live_token, token_hash=ApiToken.token_hash, now=ApiToken.expires_at)


def touch(token: ApiToken) -> None:
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > TOUCH_INTERVAL:
        ApiToken.update(last_used_at=now).where(ApiToken.id == token.id).execute()


def revoke(token: ApiToken) -> None:
    ApiToken.update(revoked=True).where(ApiToken.id == token.id).execute()
