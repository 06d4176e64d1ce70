"""Where the queue lives, chosen by APP_JOBS_URL: the embedded SQLite file, Redis or PostgreSQL.

Every backend is one of huey's own storages, so task code and guarantees are the same on each
(README "Jobs"). Only the connection details differ.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg
from huey.storage import BaseStorage, PostgresStorage, RedisStorage, SqliteStorage
from redis import ConnectionPool
from redis.exceptions import RedisError

from ..config import ConfigError
from ..deploy.layout import PROJECT_ROOT, Layout

# Errors meaning "the store did not answer", as opposed to a bug in the caller.
STORAGE_ERRORS = (RedisError, psycopg.Error, sqlite3.Error, OSError)

REDIS_SCHEMES = ("redis", "rediss", "unix")
POSTGRES_SCHEMES = ("postgresql", "postgres")
# A store that does not answer fails an enqueue within seconds instead of hanging the request;
# the read timeout must outlast the worker's blocking pop (huey's read_timeout, 1 s).
REDIS_CONNECT_TIMEOUT = 2
REDIS_SOCKET_TIMEOUT = 5
POSTGRES_CONNECT_TIMEOUT = 2
# Serialises huey's `create table if not exists` between processes: run concurrently on a
# fresh database (web and worker, two hosts) it can fail on a duplicate catalog row.
POSTGRES_DDL_LOCK = 0x6A6F6273  # "jobs"


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


class LazyPostgresStorage(PostgresStorage):
    """huey's PostgreSQL store, creating its tables on first use instead of in the app factory:
    a database that is down then fails the enqueue (503), not the start of every process."""

    def __init__(self, *args, **kwargs):
        self.tables_ready = False
        super().__init__(*args, create_tables=False, **kwargs)

    def _connect(self):
        conn = super()._connect()
        # Each enqueue, dequeue and running-mark is a commit: waiting for its WAL flush made
        # an enqueue cost ~1 ms and the worker ~140 jobs/s here, ~0.4 ms and ~840 jobs/s
        # without. The trade (README "Backends"): a crash of the PostgreSQL server itself (not
        # of the app) may lose the last ~0.6 s of commits, like SQLite's synchronous=NORMAL.
        conn.execute("set synchronous_commit = off")
        if not self.tables_ready:
            with conn.transaction():
                conn.execute("select pg_advisory_xact_lock(%s)", (POSTGRES_DDL_LOCK,))
                for statement in self.ddl:
                    conn.execute(statement)
            self.tables_ready = True
        return conn

    _create_connection = _connect


def postgres_storage(name: str, url: str) -> PostgresStorage:
    """Tables jobs_task, jobs_schedule, jobs_kv, jobs_counter in the URL's database (and
    schema: `?options=-csearch_path%3Dname` puts them in another one)."""
    return LazyPostgresStorage(
        name,
        dsn=url,
        blocking=True,
        read_timeout=1,
        table_prefix="jobs",
        connect_timeout=POSTGRES_CONNECT_TIMEOUT,
    )


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
