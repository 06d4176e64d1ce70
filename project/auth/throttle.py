"""Failed-login throttling, stored in the database so every worker and host shares the counts.

A browser with a valid device cookie for the account (auth/devices.py: it logged in to that
account before) is counted per device only; every other attempt is counted per client address
(IPv6 by its /64) and per account. So strangers failing on an account, or from the owner's
address, block strangers, not the owner's own browsers (OWASP "device cookies"). A login is
refused while a key has reached its limit within LOGIN_THROTTLE_WINDOW.

An attempt is counted before its password is checked and uncounted when it succeeds, so
concurrent attempts cannot all slip under a limit (limits.Counter.reserve). Refused attempts
add no rows, so the throttle lifts by itself once the window has passed over the failures:
nobody is locked out for good.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app

from .. import metrics
from ..limits import KEY_LENGTH, Counter, client_key, too_many
from ..models import LoginFailure, utcnow
from ..user_errors import UserError

ACCOUNT = "account"
ADDRESS = "address"
DEVICE = "device"
FAILURES = Counter(LoginFailure, LoginFailure.failed_at)

__all__ = ["KEY_LENGTH", "Attempt", "Throttled", "check", "record_failure", "reserve"]


class Throttled(UserError):
    """Too many failed logins for this account or client address (also in auth.service).

    Its message is the one sentence every page and the API show when throttling."""

    def __init__(self, retry_after: int):
        super().__init__(too_many(retry_after))
        self.retry_after = retry_after


def window() -> timedelta:
    return timedelta(seconds=current_app.config["LOGIN_THROTTLE_WINDOW"])


def keys(account: str | None, client_ip: str | None, device: str | None = None) -> list:
    """(scope, key, limit) for each scope that applies; an unparsable email has no account.

    A known device is limited on its own only: strangers behind the same address (a shared
    NAT, a proxy with PROXY_HOPS unset) must not lock it out either.
    """
    config = current_app.config
    if device:
        return [(DEVICE, device[:KEY_LENGTH], config["LOGIN_THROTTLE_PER_DEVICE"])]
    found = [(ADDRESS, client_key(client_ip), config["LOGIN_THROTTLE_PER_ADDRESS"])]
    if account:
        found.append((ACCOUNT, account[:KEY_LENGTH], config["LOGIN_THROTTLE_PER_ACCOUNT"]))
    return found


def check(account: str | None, client_ip: str | None, device: str | None = None) -> None:
    """Raise Throttled when a key is over its limit (no writing; for callers that count with
    record_failure themselves, like the second factor's codes)."""
    wait = FAILURES.wait(keys(account, client_ip, device), utcnow(), window())
    if wait > 0:
        metrics.login_throttled()
        raise Throttled(wait)


class Attempt:
    """One login attempt, counted as a failure until `succeeded` says otherwise."""

    def __init__(self, account: str | None, device: str | None, ids: list[int]):
        self.account, self.device, self.ids = account, device, ids

    def failed(self) -> None:
        """Keep the count, and drop rows that no longer count."""
        metrics.login_failed()
        FAILURES.purge(utcnow(), window())

    def uncount(self) -> None:
        """This attempt was no failure (earlier failures still count)."""
        FAILURES.release(self.ids)

    def succeeded(self) -> None:
        """Uncount this attempt and forget the account's (or device's) earlier failures.

        The address keeps its other failures: one right password must not reset a sprayer.
        """
        self.uncount()
        if self.account:
            clear_account(self.account)
        if self.device:
            clear(DEVICE, self.device)


def reserve(account: str | None, client_ip: str | None, device: str | None = None) -> Attempt:
    """Count an attempt before its password is checked; raises Throttled (counting nothing)."""
    ids, wait = FAILURES.reserve(keys(account, client_ip, device), utcnow(), window())
    if wait:
        metrics.login_throttled()
        raise Throttled(wait)
    return Attempt(account, device, ids)


def record_failure(account: str | None, client_ip: str | None, device: str | None = None) -> None:
    """Count one failed login that was checked elsewhere (whatever the counts are now)."""
    metrics.login_failed()
    now = utcnow()
    for scope, key, _ in keys(account, client_ip, device):
        FAILURES.insert(scope, key, now)


def clear(scope: str, key: str) -> None:
    LoginFailure.delete().where(
        (LoginFailure.scope == scope) & (LoginFailure.key == key[:KEY_LENGTH])
    ).execute()


def clear_account(account: str) -> None:
    """Forget an account's failures (a successful login or password reset)."""
    clear(ACCOUNT, account)
