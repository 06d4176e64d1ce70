"""The periodic tasks: delete what has expired, so tables and folders stop growing, and take
the nightly backup.

Emailed links hold no rows (single-use links are bound to the password hash or address they
were issued for), so there is nothing of theirs to purge. A feature that stores rows that
expire adds its purge here.
"""

from __future__ import annotations

import logging
import os
import time
from datetime import timedelta
from pathlib import Path

from flask import current_app
from huey import crontab

from ..auth import sessions
from ..mail import mail_dir
from ..models import ApiToken, LimitEvent, LoginFailure, utcnow
from .queue import huey, periodic_task, task
from .scheduler import TICK_FORMAT, purge_ticks

log = logging.getLogger(__name__)

HEARTBEAT = "heartbeat"


@task()
def ping() -> None:
    """A job that does nothing but log: `scripts/ctl jobs run ping` shows a worker consumes."""
    log.info("ping answered by worker %d", os.getpid())


@periodic_task(crontab(minute="*"))
def heartbeat() -> None:
    """Every minute: the time of the last tick, which `scripts/ctl status` shows."""
    now = utcnow()
    huey.storage.put_data(HEARTBEAT, now.isoformat(timespec="seconds").encode())
    log.info("scheduler tick %s", now.strftime(TICK_FORMAT))


@periodic_task(crontab(minute="7"))
def purge_expired() -> None:
    """Hourly: throttle rows past their window, API tokens expired or revoked, login sessions
    past their timeouts, mail-limit events past their window, claimed ticks."""
    config = current_app.config
    failures = purge_login_failures(config["LOGIN_THROTTLE_WINDOW"])
    tokens = purge_api_tokens()
    logins = sessions.purge_expired()
    events = purge_limit_events(config["MAIL_LIMIT_WINDOW"])
    ticks = purge_ticks(huey.storage, huey._get_timestamp())
    log.info(
        "purged %d login failures, %d API tokens, %d login sessions, %d limit events, %d tick keys",
        *(failures, tokens, logins, events, ticks),
    )


@periodic_task(crontab(minute="17", hour="3"))
def nightly_backup() -> None:
    """Daily: a verified backup, pruned and copied off-host (README: Backups)."""
    from ..backup.service import run_scheduled_backup

    result = run_scheduled_backup(dict(current_app.config))
    log.info("backup %s verified in %.1f s", result.path.name, result.seconds)


@periodic_task(crontab(minute="37", hour="3"))
def prune_mail_folder() -> None:
    """Daily: .eml files in var/mail/ older than MAIL_KEEP_DAYS."""
    removed = prune_mail_files(mail_dir(), current_app.config["MAIL_KEEP_DAYS"])
    log.info("pruned %d mail files", removed)


def purge_login_failures(window_seconds: int) -> int:
    cutoff = utcnow() - timedelta(seconds=window_seconds)
    return LoginFailure.delete().where(LoginFailure.failed_at < cutoff).execute()


def purge_limit_events(window_seconds: int) -> int:
    cutoff = utcnow() - timedelta(seconds=window_seconds)
    return LimitEvent.delete().where(LimitEvent.at < cutoff).execute()


def purge_api_tokens() -> int:
    query = ApiToken.delete().where((ApiToken.expires_at < utcnow()) | (ApiToken.revoked == True))  # noqa: E712
    return query.execute()


def prune_mail_files(folder: Path, keep_days: int) -> int:
    if not folder.is_dir():
        return 0
    cutoff = time.time() - keep_days * 86400
    old = [p for p in folder.glob("*.eml") if p.stat().st_mtime < cutoff]
    for path in old:
        path.unlink(missing_ok=True)
    return len(old)
