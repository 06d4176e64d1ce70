"""Proving a backup: unpack it, restore its database into a scratch one, check that."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from . import BackupError, postgres_db, sqlite_db
from .archive import JOBS_PART, POSTGRES_PART, SQLITE_PART, extract


@dataclass(frozen=True)
class OpenedBackup:
    """A backup unpacked into `folder` whose every part passed its checks."""

    path: Path
    folder: Path
    manifest: dict

    def part(self, name: str) -> Path | None:
        found = self.folder / name
        return found if name in self.manifest["parts"] and found.is_file() else None

    @property
    def database(self) -> str:
        return self.manifest.get("database", "")


@contextmanager
def opened(path: Path, database_url: str, workdir: Path) -> Iterator[OpenedBackup]:
    """Unpack and check `path` under `workdir` (removed afterwards); BackupError if it fails.

    `database_url` names the server a PostgreSQL dump is test-restored on (a scratch database).
    """
    if not path.is_file():
        raise BackupError(f"no backup file at {path}")
    workdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=workdir, prefix=".backup-check-") as tmp:
        try:
            manifest = extract(path, Path(tmp))
            backup = OpenedBackup(path, Path(tmp), manifest)
            check(backup, database_url)
        except BackupError as exc:
            raise BackupError(f"{path.name} failed verification: {exc}") from None
        yield backup


def check(backup: OpenedBackup, database_url: str) -> None:
    if backup.database == "sqlite":
        check_sqlite(backup)
    elif backup.database == "postgresql":
        check_postgres(backup, database_url)
    else:
        raise BackupError(f"unknown database kind {backup.database!r}")
    jobs = backup.part(JOBS_PART)
    if jobs is not None and (found := sqlite_db.problems(jobs, need_history=False)):
        raise BackupError(f"job queue store: {found[0]}")


def check_sqlite(backup: OpenedBackup) -> None:
    database = backup.part(SQLITE_PART)
    if database is None:
        raise BackupError(f"no {SQLITE_PART} in a SQLite backup")
    if found := sqlite_db.problems(database):
        raise BackupError(found[0])
    check_history(sqlite_db.migrations(database), backup.manifest)


def check_postgres(backup: OpenedBackup, database_url: str) -> None:
    dump = backup.part(POSTGRES_PART)
    if dump is None:
        raise BackupError(f"no {POSTGRES_PART} in a PostgreSQL backup")
    postgres_db.listing(dump)
    if not postgres_db.is_postgres(database_url):
        raise BackupError("a PostgreSQL dump needs a PostgreSQL server to be test-restored on")
    with postgres_db.scratch_database(database_url) as scratch:
        postgres_db.restore_into(database_url, scratch, dump)
        check_history(postgres_db.migrations(database_url, scratch), backup.manifest)


def check_history(found: list[str], manifest: dict) -> None:
    """The restored migration history is there, and is the one the manifest recorded."""
    if not found:
        raise BackupError(f"empty or missing {sqlite_db.HISTORY_TABLE} table")
    if found != manifest.get("migrations"):
        raise BackupError(
            f"migration history ({len(found)} rows) differs from the manifest's "
            f"({len(manifest.get('migrations') or [])})"
        )
