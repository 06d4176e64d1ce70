"""Rate limits counted in the database: mails sent on request and registrations.

Each counted action adds one row per (scope, key) to a table; an action is refused while any
of its keys has reached its limit within the window. Counting is race-free: an action's rows
are inserted first and counted after, so of many concurrent requests only as many as the limit
allows go on (the others remove their rows again). The failed-login throttle
(auth/throttle.py) counts the same way on its own table.
"""

from __future__ import annotations

import functools
import ipaddress
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import peewee
from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext

from .models import LimitEvent, utcnow
from .prepared import Prepared
from .user_errors import UserError

KEY_LENGTH = 254  # the key column's size; a normalised email or an address always fits
IPV6_PREFIX = 64  # one subscriber usually holds a whole /64: count it as one address

# (scope, key, limit): one counter an action is checked and counted against.
Key = tuple[str, str, int]


def too_many(retry_after: int) -> str:
    """The one sentence every page and the API show when a limit or the login throttle
    refuses: 'about 15 minutes' reads better than 897 seconds."""
    return _("Too many attempts. Try again in %(wait)s.", wait=wait_phrase(retry_after))


def wait_phrase(seconds: int) -> str:
    if seconds < 60:
        return ngettext("%(num)d second", "%(num)d seconds", seconds)
    minutes = math.ceil(seconds / 60)
    return ngettext("about %(num)d minute", "about %(num)d minutes", minutes)


class Limited(UserError):
    """Too many of these actions for one of their keys; `retry_after` seconds until allowed."""

    def __init__(self, retry_after: int):
        super().__init__(too_many(retry_after))
        self.retry_after = retry_after


def client_key(client_ip: str | None) -> str:
    """The key of a client address: IPv6 by its /64, IPv4 (also IPv4-mapped) as it is."""
    try:
        address = ipaddress.ip_address(client_ip or "")
    except ValueError:
        return (client_ip or "unknown")[:KEY_LENGTH]
    if address.version == 6 and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/{IPV6_PREFIX}", strict=False))
    return str(address)


@dataclass(frozen=True)
class Counter:
    """Counting rows in `model` (fields scope and key) by its time field `at`."""

    model: type[peewee.Model]
    at: peewee.Field

    def wait(self, keys: list[Key], now: datetime, window: timedelta, slack: int = 0) -> int:
        """0 while every key is under its limit (+ `slack`); else the seconds to wait."""
        return max(self.wait_one(key, now, window, slack) for key in keys)

    def wait_one(self, key: Key, now: datetime, window: timedelta, slack: int) -> int:
        """One row read whatever the limit: the limit-th latest row inside the window."""
        scope, name, limit = key
        row = self.limiting.first(scope=scope, key=name, since=now - window, skip=limit - 1 + slack)
        if row is None:
            return 0
        limiting = getattr(row, self.at.name)
        return max(1, math.ceil((limiting + window - now).total_seconds()))

    @functools.cached_property
    def limiting(self) -> Prepared:
        """The limit-th latest row query; run on every login attempt, so its SQL is built once."""

        def build(scope, key, since, skip):
            return (
                self.model.select(self.at)
                .where((self.model.scope == scope) & (self.model.key == key) & (self.at > since))
                .order_by(self.at.desc())
                .offset(skip)
                .limit(1)
            )

        fields = self.model.scope, self.model.key, self.at
        return Prepared(
            build, scope=fields[0], key=fields[1], since=fields[2], skip=peewee.IntegerField()
        )

    def reserve(self, keys: list[Key], now: datetime, window: timedelta) -> tuple[list[int], int]:
        """Count one action under every key: (ids of its rows, 0), or ([], seconds to wait).

        A cheap read first, so a flood is refused without writing; then insert, and count
        again: more rows than the limit means others got there first, and this one backs off.
        """
        wait = self.wait(keys, now, window)
        if wait:
            return [], wait
        ids = [self.insert(scope, name, now) for scope, name, _ in keys]
        if self.wait(keys, now, window, slack=1):
            self.release(ids)
            return [], max(1, self.wait(keys, now, window))
        return ids, 0

    def insert(self, scope: str, name: str, now: datetime) -> int:
        return self.model.insert(
            scope=scope, key=name[:KEY_LENGTH], **{self.at.name: now}
        ).execute()

    def release(self, ids: list[int]) -> None:
        """Uncount an action (it was refused, or it turned out not to count)."""
        if ids:
            self.model.delete().where(self.model.id.in_(ids)).execute()

    def purge(self, now: datetime, window: timedelta) -> None:
        """Drop rows that no longer count."""
        self.model.delete().where(self.at <= now - window).execute()


EVENTS = Counter(LimitEvent, LimitEvent.at)

MAIL_ACCOUNT = "mail-account"
MAIL_RECIPIENT = "mail-to"
MAIL_CLIENT = "mail-from"
REGISTER_CLIENT = "register-from"


def mail_window() -> timedelta:
    return timedelta(seconds=current_app.config["MAIL_LIMIT_WINDOW"])


def take(keys: list[Key]) -> None:
    """Count one action under `keys`; raise Limited (counting nothing) when one is full."""
    now = utcnow()
    _ids, wait = EVENTS.reserve(keys, now, mail_window())
    if wait:
        raise Limited(wait)
    EVENTS.purge(now, mail_window())


def mail_keys(recipient: str | None, client_ip: str | None, account: int | None) -> list[Key]:
    """Keys of one mail the site sends on request: to whom, from where, for which account."""
    config = current_app.config
    keys = [(MAIL_CLIENT, client_key(client_ip), config["MAIL_LIMIT_PER_CLIENT"])]
    if recipient:
        keys.append((MAIL_RECIPIENT, recipient, config["MAIL_LIMIT_PER_RECIPIENT"]))
    if account is not None:
        keys.append((MAIL_ACCOUNT, str(account), config["MAIL_LIMIT_PER_ACCOUNT"]))
    return keys


def take_mail(recipient: str | None, client_ip: str | None, account: int | None = None) -> None:
    """Count a mail to `recipient` asked from `client_ip` (by `account`); raises Limited."""
    take(mail_keys(recipient, client_ip, account))


def take_registration(client_ip: str | None) -> None:
    """Count a registration from `client_ip`; raises Limited."""
    limit = current_app.config["REGISTER_LIMIT_PER_CLIENT"]
    take([(REGISTER_CLIENT, client_key(client_ip), limit)])
