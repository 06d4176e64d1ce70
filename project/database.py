"""The peewee database: built from a URL, pooled, one connection per request.

No connection is opened while the app is built, so under gunicorn (preload off) every
worker creates its own pool after the fork. A request takes a connection from the pool on its
first query and gives it back in teardown, also when the view raised.
"""

from __future__ import annotations

from pathlib import Path

import peewee
from flask import Flask
from playhouse import db_url

from . import metrics
from .extensions import db
from .user_errors import UserError

POOL_SCHEMES = {
    "sqlite": "sqlite+pool",
    "postgresql": "postgresql+pool",
    "postgres": "postgresql+pool",
}


class DatabaseURLError(UserError):
    """The database URL names no supported database."""


def make_database(url: str, settings: dict) -> peewee.Database:
    """A pooled peewee database for `url` (sqlite:/// or postgresql://)."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme not in POOL_SCHEMES:
        raise DatabaseURLError(f"unsupported database URL {url!r}: use sqlite:/// or postgresql://")
    params = {
        "max_connections": settings["DB_MAX_CONNECTIONS"],
        "stale_timeout": settings["DB_STALE_TIMEOUT"],
    }
    if scheme == "sqlite":
        params.update(sqlite_params(rest, settings))
    return count_checkouts(db_url.connect(f"{POOL_SCHEMES[scheme]}://{rest}", **params))


def count_checkouts(pool: peewee.Database) -> peewee.Database:
    """Publish this process's checked-out connections (app_db_pool_connections_in_use) at
    every checkout and return; peewee's pool has no hook for it, so wrap its two methods."""
    take, give = pool._connect, pool._close

    def connect():
        connection = take()
        metrics.DB_POOL_IN_USE.set(len(pool._in_use))
        return connection

    def close(connection, close_conn=False):
        give(connection, close_conn)
        metrics.DB_POOL_IN_USE.set(len(pool._in_use))

    pool._connect, pool._close = connect, close
    return pool


def sqlite_params(rest: str, settings: dict) -> dict:
    """WAL so readers never wait for the writer; busy timeout so writers queue, not fail."""
    path = rest[1:] if rest.startswith("/") else rest
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    return {
        "pragmas": {
            "journal_mode": "wal",
            "busy_timeout": settings["SQLITE_BUSY_TIMEOUT_MS"],
            "foreign_keys": 1,
            "synchronous": "normal",
        },
        "check_same_thread": False,
    }


def init_app(app: Flask) -> None:
    db.initialize(make_database(app.config["DATABASE_URL"], app.config))
    app.teardown_appcontext(close_connection)


def close_connection(exc: BaseException | None = None) -> None:
    """Return this request's connection to the pool (a no-op if it never took one)."""
    if not db.is_closed():
        db.close()


def can_query() -> bool:
    """True when the database answers a trivial query."""
    try:
        db.execute_sql("SELECT 1").fetchone()
        return True
    except peewee.PeeweeException:
        return False
