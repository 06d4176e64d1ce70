"""Failed-login throttling, stored in the database so every worker and host shares the counts.

Each failed login adds one row per scope: the account (normalised email) and the client
address. A login is refused while either key has reached its limit within the last
LOGIN_THROTTLE_WINDOW seconds. Refused attempts add no rows, so the throttle lifts by itself
once the window has passed over the failures: nobody is locked out for good.
"""

from __future__ import annotations

import math
from datetime import timedelta

from flask import current_app
from peewee import IntegerField

from ..models import LoginFailure, utcnow
from ..prepared import Prepared
from ..user_errors import UserError

ACCOUNT = "account"
ADDRESS = "address"
KEY_LENGTH = LoginFailure.key.max_length  # an address or a normalised email always fits


class Throttled(UserError):
    """Too many failed logins for this account or client address (also in auth.service).

    Its message is the one sentence every page and the API show when throttling."""

    def __init__(self, retry_after: int):
        super().__init__(f"Too many attempts. Try again in {wait_phrase(retry_after)}.")
        self.retry_after = retry_after


def wait_phrase(seconds: int) -> str:
    """'45 seconds', or rounded up to minutes: 'about 15 minutes' reads better than 897 s."""
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"about {minutes} minute{'s' if minutes != 1 else ''}"


def window() -> timedelta:
    return timedelta(seconds=current_app.config["LOGIN_THROTTLE_WINDOW"])


def keys(account: str | None, client_ip: str | None) -> list[tuple[str, str, int]]:
    """(scope, key, limit) for each scope that applies; an unparsable email has no account."""
    config = current_app.config
    found = [(ADDRESS, (client_ip or "unknown")[:KEY_LENGTH], config["LOGIN_THROTTLE_PER_ADDRESS"])]
    if account:
        found.append((ACCOUNT, account[:KEY_LENGTH], config["LOGIN_THROTTLE_PER_ACCOUNT"]))
    return found


def check(account: str | None, client_ip: str | None) -> None:
    """Raise Throttled when the account or the address is over its limit (no hashing done)."""
    now = utcnow()
    waits = [seconds_until_allowed(*limit, now) for limit in keys(account, client_ip)]
    wait = max(waits)
    if wait > 0:
        raise Throttled(wait)


def limiting_failure(scope, key, since, skip):
    return (
        LoginFailure.select(LoginFailure.failed_at)
        .where(
            (LoginFailure.scope == scope)
            & (LoginFailure.key == key)
            & (LoginFailure.failed_at > since)
        )
        .order_by(LoginFailure.failed_at.desc())
        .offset(skip)
        .limit(1)
    )


# Run on every login attempt, so its SQL text is built once (prepared.py).
LIMITING = Prepared(
    limiting_failure,
    scope=LoginFailure.scope,
    key=LoginFailure.key,
    since=LoginFailure.failed_at,
    skip=IntegerField(),
)


def seconds_until_allowed(scope: str, key: str, limit: int, now) -> int:
    """0 while under `limit`; else the seconds until the limit-th latest failure expires.

    One row read whatever the limit: the limit-th latest failure inside the window.
    """
    row = LIMITING.first(scope=scope, key=key, since=now - window(), skip=limit - 1)
    if row is None:
        return 0
    limiting = row.failed_at
    return max(1, math.ceil((limiting + window() - now).total_seconds()))


def record_failure(account: str | None, client_ip: str | None) -> None:
    """Count one failed login for each key, and drop rows that no longer count."""
    now = utcnow()
    found = keys(account, client_ip)
    rows = [{"scope": scope, "key": key, "failed_at": now} for scope, key, _ in found]
    LoginFailure.insert_many(rows).execute()
    LoginFailure.delete().where(LoginFailure.failed_at <= now - window()).execute()


def clear_account(account: str) -> None:
    """Forget an account's failures after a successful login (the address keeps its count)."""
    LoginFailure.delete().where(
        (LoginFailure.scope == ACCOUNT) & (LoginFailure.key == account[:KEY_LENGTH])
    ).execute()
