"""PostgreSQL through its own client tools: pg_dump -Fc, pg_restore, createdb, psql.

The URL is split into PG* environment variables so no password shows in a process list, and
the pool options peewee reads (?max_connections=…) never reach libpq.
"""

from __future__ import annotations

import os
import secrets
import subprocess
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit

from . import BackupError
from .sqlite_db import HISTORY_TABLE

TOOL_TIMEOUT = 3600


def is_postgres(url: str) -> bool:
    return url.split("://", 1)[0] in ("postgresql", "postgres", "postgresql+pool", "postgres+pool")


def libpq_env(url: str, database: str | None = None) -> dict[str, str]:
    parts = urlsplit(url)
    env = {
        "PGHOST": parts.hostname or "",
        "PGPORT": str(parts.port or ""),
        "PGUSER": unquote(parts.username or ""),
        "PGPASSWORD": unquote(parts.password or ""),
        "PGDATABASE": database or unquote(parts.path.lstrip("/")),
    }
    return {key: value for key, value in env.items() if value}


def database_name(url: str) -> str:
    return unquote(urlsplit(url).path.lstrip("/"))


def run_tool(args: list[str], url: str, database: str | None = None) -> str:
    """Run a PostgreSQL client tool; a failure is one line naming the tool and its complaint."""
    env = {**os.environ, **libpq_env(url, database)}
    try:
        result = subprocess.run(
            args, env=env, capture_output=True, text=True, timeout=TOOL_TIMEOUT, check=False
        )
    except FileNotFoundError:
        raise BackupError(f"{args[0]} not found: install the PostgreSQL client") from None
    if result.returncode != 0:
        lines = (result.stderr or result.stdout).strip().splitlines()
        raise BackupError(f"{args[0]} failed: {lines[-1] if lines else result.returncode}")
    return result.stdout


def dump(url: str, dest: Path) -> None:
    """pg_dump in custom format: one consistent snapshot (a repeatable-read transaction)."""
    run_tool(["pg_dump", "--format=custom", "--no-owner", "--file", str(dest)], url)
    dest.chmod(0o600)


def listing(dump_file: Path) -> str:
    """`pg_restore --list`: reads the whole table of contents, fails on a damaged file."""
    try:
        result = subprocess.run(
            ["pg_restore", "--list", str(dump_file)], capture_output=True, text=True, check=False
        )
    except FileNotFoundError:
        raise BackupError("pg_restore not found: install the PostgreSQL client") from None
    if result.returncode != 0:
        lines = result.stderr.strip().splitlines()
        raise BackupError(f"pg_restore --list: {lines[-1] if lines else 'failed'}")
    return result.stdout


def restore_into(url: str, database: str, dump_file: Path) -> None:
    """Load a dump into `database`, all or nothing."""
    run_tool(
        [
            "pg_restore",
            "--no-owner",
            "--exit-on-error",
            "--single-transaction",
            "--dbname",
            database,
            str(dump_file),
        ],
        url,
        database,
    )


def query(url: str, sql: str, database: str | None = None) -> list[str]:
    out = run_tool(
        ["psql", "--no-psqlrc", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql], url, database
    )
    return [line for line in out.splitlines() if line]


def migrations(url: str, database: str | None = None) -> list[str]:
    if query(url, f"SELECT to_regclass('{HISTORY_TABLE}') IS NOT NULL", database) != ["t"]:
        return []
    return query(url, f"SELECT name FROM {HISTORY_TABLE} ORDER BY id", database)  # noqa: S608


@contextmanager
def scratch_database(url: str):
    """A throwaway database on the same server (needs CREATEDB), dropped afterwards."""
    name = f"{database_name(url)}_verify_{secrets.token_hex(4)}"[:63]
    run_tool(["createdb", name], url)
    try:
        yield name
    finally:
        run_tool(["dropdb", "--if-exists", name], url)


def drop_all_tables(url: str) -> None:
    """Empty the current schema of tables (and their sequences) before a restore."""
    tables = query(
        url,
        "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = current_schema()",
    )
    if tables:
        query(url, f"DROP TABLE IF EXISTS {', '.join(tables)} CASCADE")
