"""Whether the embedded SQLite database has every migration applied, read without the app.

`ctl start` applies migrations in a child process that builds the whole app (~1.2 s of CPU);
on a warm start there is nothing to apply. Reading the migration history with the standard
library's sqlite3 (read-only) takes milliseconds, so start skips the child when every
migration file is in it. Anything else (PostgreSQL, no database yet, no history table, a
file that cannot be read, a pending name) answers False: the child runs as before.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import quote

# peewee-migrate's history table (peewee_migrate/models.py: MigrateHistory).
HISTORY_TABLE = "migratehistory"


def migration_names(folder: Path) -> set[str]:
    """Every module in the folder but `__init__`: at least the files peewee-migrate runs
    (its mask is `<digits>_<name>.py`), so a doubtful name means "pending", never "done"."""
    return {path.stem for path in folder.glob("*.py") if not path.name.startswith("_")}


def sqlite_path(url: str) -> Path | None:
    """The file of a `sqlite:///…` URL (as database.sqlite_params reads it), else None."""
    scheme, sep, rest = url.partition("://")
    if scheme != "sqlite" or not sep:
        return None
    path = (rest[1:] if rest.startswith("/") else rest).split("?", 1)[0]
    return Path(path) if path and path != ":memory:" else None


def is_current(url: str, folder: Path, root: Path) -> bool:
    """True when the SQLite file of `url` (relative paths from `root`, the children's working
    folder) records every migration in `folder` as applied."""
    path = sqlite_path(url)
    if path is None or not (root / path).is_file():
        return False
    try:
        connection = sqlite3.connect(f"file:{quote(str(root / path))}?mode=ro", uri=True)
    except sqlite3.Error:
        return False
    try:
        rows = connection.execute(f"SELECT name FROM {HISTORY_TABLE}").fetchall()  # noqa: S608
    except sqlite3.Error:
        return False
    finally:
        connection.close()
    return migration_names(folder) <= {name for (name,) in rows}
