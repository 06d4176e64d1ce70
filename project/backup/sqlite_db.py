"""SQLite: a consistent copy of a live WAL database, and the checks a copy must pass."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from . import BackupError

HISTORY_TABLE = "migratehistory"  # peewee-migrate's record of applied migrations


def sqlite_path(url: str) -> Path | None:
    """The file of a sqlite:/// URL; None for any other database."""
    if not url.startswith("sqlite:///"):
        return None
    return Path(url[len("sqlite:///") :].split("?", 1)[0])


def snapshot(source: Path, dest: Path, busy_timeout_ms: int = 5000) -> None:
    """Copy `source` to `dest` with SQLite's online backup API, never a file copy.

    One step (pages=-1) copies every page inside one read transaction: in WAL mode writers go
    on meanwhile, and the copy is the database as of that transaction's start. A stepwise
    backup would restart whenever another process writes, and might never end on a busy site.
    """
    if not source.is_file():
        raise BackupError(f"no SQLite database at {source}")
    src = sqlite3.connect(source, timeout=busy_timeout_ms / 1000)
    with closing(src), closing(sqlite3.connect(dest)) as dst:
        src.backup(dst)
        # A single self-contained file: no -wal beside it to lose on the way.
        dst.execute("PRAGMA journal_mode=delete")
    dest.chmod(0o600)


def open_readonly(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def problems(path: Path, need_history: bool = True) -> list[str]:
    """What is wrong with the database file at `path` (empty: it passed)."""
    try:
        with closing(open_readonly(path)) as connection:
            rows = connection.execute("PRAGMA integrity_check").fetchall()
            if rows != [("ok",)]:
                return [f"integrity check: {'; '.join(str(row[0]) for row in rows[:3])}"]
            if need_history and not has_table(connection, HISTORY_TABLE):
                return [f"no {HISTORY_TABLE} table: not this project's database"]
    except sqlite3.DatabaseError as exc:
        return [f"{path.name}: {exc}"]
    return []


def has_table(connection: sqlite3.Connection, name: str) -> bool:
    query = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
    return connection.execute(query, (name,)).fetchone() is not None


def migrations(path: Path) -> list[str]:
    """Names of the migrations applied in the database at `path`, in order."""
    with closing(open_readonly(path)) as connection:
        if not has_table(connection, HISTORY_TABLE):
            return []
        query = f"SELECT name FROM {HISTORY_TABLE} ORDER BY id"  # noqa: S608 (constant)
        return [row[0] for row in connection.execute(query)]


def checkpoint(path: Path) -> None:
    """Fold the WAL into the main file, so the file alone is the whole database."""
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def move_aside(path: Path, dest: Path) -> None:
    """Rename a stopped database to `dest`, its WAL folded in first; a database too damaged
    to checkpoint keeps its -wal beside the renamed file instead (nothing is thrown away)."""
    try:
        checkpoint(path)
    except sqlite3.DatabaseError:
        wal = Path(f"{path}-wal")
        if wal.exists():
            wal.replace(Path(f"{dest}-wal"))
    path.replace(dest)
    for extra in ("-wal", "-shm"):
        Path(f"{path}{extra}").unlink(missing_ok=True)
