"""Where the queue lives, chosen by APP_JOBS_URL: the embedded SQLite file, Redis or PostgreSQL.

Every backend is one of huey's own storages, so task code and guarantees are the same on each
(README "Jobs"). Only the connection details differ.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from huey.storage import BaseStorage, PostgresStorage, RedisStorage, SqliteStorage
from redis import ConnectionPool
from redis.exceptions import RedisError

from ..config import ConfigError
from ..deploy.layout import PROJECT_ROOT, Layout

# Errors meaning "the store did not answer", as opposed to a bug in the caller.
STORAGE_ERRORS: tuple[type[BaseException], ...] = (RedisError, sqlite3.Error, OSError)
try:  # PostgresStorage needs psycopg 3, which is optional (requirements ship psycopg2 only)
    import psycopg

    STORAGE_ERRORS += (psycopg.Error,)
except ImportError:  # pragma: no cover - depends on the environment
    psycopg = None

REDIS_SCHEMES = ("redis", "rediss", "unix")
POSTGRES_SCHEMES = ("postgresql", "postgres")
# A store that does not answer fails an enqueue within seconds instead of hanging the request;
# the read timeout must outlast the worker's blocking pop (huey's read_timeout, 1 s).
REDIS_CONNECT_TIMEOUT = 2
REDIS_SOCKET_TIMEOUT = 5


def jobs_db_path(config) -> Path:
    return Layout(PROJECT_ROOT, Path(config["VAR_DIR"])).jobs_db


def describe(config) -> str:
    """The store named for people (logs, status): never the password in a URL."""
    url = config["JOBS_URL"]
    if not url:
        return f"sqlite {jobs_db_path(config)}"
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.rpartition('@')[2]}"


def make_storage(config) -> BaseStorage:
    """huey storage for the settings; ConfigError for a URL naming no supported store."""
    url, name = config["JOBS_URL"], config["JOBS_QUEUE"]
    scheme = url.partition("://")[0]
    if not url or scheme == "sqlite":
        return sqlite_storage(name, Path(url[len("sqlite:///") :]) if url else jobs_db_path(config))
    if scheme in REDIS_SCHEMES:
        return redis_storage(name, url)
    if scheme in POSTGRES_SCHEMES:
        return postgres_storage(name, url)
    raise ConfigError(
        f"unsupported APP_JOBS_URL {describe(config)!r}: use redis://, postgresql:// or sqlite:///"
    )


class WalSqliteStorage(SqliteStorage):
    """huey's SQLite store with synchronous=NORMAL, as the app's own database: in WAL mode a
    commit then survives a crash of the process (not of the machine) without an fsync each,
    which otherwise costs ~5 ms per enqueue here."""

    def _create_connection(self):
        conn = super()._create_connection()
        conn.execute("pragma synchronous=1")
        return conn


def sqlite_storage(name: str, path: Path) -> SqliteStorage:
    path.parent.mkdir(parents=True, exist_ok=True)
    return WalSqliteStorage(name, filename=str(path), journal_mode="wal", timeout=5)


def redis_storage(name: str, url: str) -> RedisStorage:
    pool = ConnectionPool.from_url(
        url,
        socket_connect_timeout=REDIS_CONNECT_TIMEOUT,
        socket_timeout=REDIS_SOCKET_TIMEOUT,
        health_check_interval=30,
    )
    return RedisStorage(name, connection_pool=pool, blocking=True, read_timeout=1)


def postgres_storage(name: str, url: str) -> PostgresStorage:
    if psycopg is None:
        raise ConfigError("APP_JOBS_URL=postgresql:// needs the psycopg package (version 3)")
    return PostgresStorage(name, dsn=url, blocking=True, read_timeout=1, table_prefix="jobs")


def close(store: BaseStorage) -> None:
    """Drop the store's connections (huey's SQL storages close; Redis pools disconnect)."""
    if isinstance(store, RedisStorage):
        store.pool.disconnect()
    elif hasattr(store, "close"):
        store.close()


class Unconfigured(BaseStorage):
    """The storage before `init_app`: enqueueing then is a programming error, said plainly."""

    def not_set_up(self, *args, **kwargs):
        raise RuntimeError("project.jobs is not set up: the app factory calls jobs.init_app(app)")

    enqueue = dequeue = queue_size = schedule_size = not_set_up
