"""Putting a verified backup in place of the current database, keeping the old one beside it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from . import BackupError, postgres_db, sqlite_db
from .archive import JOBS_PART, POSTGRES_PART, SECRET_KEY_PART, SETTINGS_PART, SQLITE_PART
from .catalog import STAMP_FORMAT, backup_dir, ensure_dir
from .paths import copy_private, jobs_db_file, secret_key_file, settings_file
from .verify import OpenedBackup, opened

REPLACED_MARK = ".replaced-"


@dataclass
class RestoreReport:
    kept: list[Path] = field(default_factory=list)  # the replaced database(s), as files
    restored_extras: list[str] = field(default_factory=list)
    migrations: int = 0


def restore_database(config, path: Path, before_replace=lambda: None) -> RestoreReport:
    """Verify `path` in full, call `before_replace` (stop the site), replace the database.

    Nothing is touched, and `before_replace` not called, unless the backup passed verification.
    """
    url = config["DATABASE_URL"]
    with opened(path, url, workdir_for(config)) as backup:
        check_fits(backup, url)
        before_replace()
        report = RestoreReport(migrations=len(backup.manifest["migrations"]))
        stamp = datetime.now(timezone.utc).strftime(STAMP_FORMAT)
        if backup.database == "sqlite":
            report.kept.append(
                replace_file(sqlite_db.sqlite_path(url), backup.part(SQLITE_PART), stamp)
            )
        else:
            report.kept.append(replace_postgres(config, backup.part(POSTGRES_PART), stamp))
        if (jobs := backup.part(JOBS_PART)) is not None:
            report.kept.append(replace_file(jobs_db_file(config), jobs, stamp))
        report.restored_extras = restore_missing_extras(config, backup)
    report.kept = [kept for kept in report.kept if kept is not None]
    return report


def workdir_for(config) -> Path:
    """Unpack next to the SQLite file, so putting it in place is a rename on one filesystem."""
    sqlite_file = sqlite_db.sqlite_path(config["DATABASE_URL"])
    return sqlite_file.parent if sqlite_file else ensure_dir(backup_dir(config))


def check_fits(backup: OpenedBackup, url: str) -> None:
    """Same kind of database, and no migration this code does not know."""
    site = "sqlite" if sqlite_db.sqlite_path(url) else "postgresql"
    if backup.database != site:
        raise BackupError(
            f"{backup.path.name} holds a {backup.database} database; this site uses {site}"
        )
    from ..migrate import MIGRATIONS_DIR

    known = {p.stem for p in MIGRATIONS_DIR.glob("[0-9]*.py")}
    unknown = [name for name in backup.manifest["migrations"] if name not in known]
    if unknown:
        raise BackupError(
            f"{backup.path.name} comes from newer code (migration {unknown[0]} unknown here): "
            "deploy that code first"
        )


def replace_file(target: Path, new: Path, stamp: str) -> Path | None:
    """Move the current file aside (returned), then rename the restored one into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    kept = None
    if target.exists():
        kept = target.with_name(f"{target.name}{REPLACED_MARK}{stamp}")
        sqlite_db.move_aside(target, kept)
    for extra in ("-wal", "-shm"):
        Path(f"{target}{extra}").unlink(missing_ok=True)
    new.replace(target)
    return kept


def replace_postgres(config, dump: Path, stamp: str) -> Path:
    """Dump the current database beside the backups, empty it, load the backup in one go."""
    url = config["DATABASE_URL"]
    kept = (
        ensure_dir(backup_dir(config))
        / f"{postgres_db.database_name(url)}{REPLACED_MARK}{stamp}.pgdump"
    )
    postgres_db.dump(url, kept)
    postgres_db.drop_all_tables(url)
    try:
        postgres_db.restore_into(url, postgres_db.database_name(url), dump)
    except BackupError as exc:
        postgres_db.drop_all_tables(url)
        postgres_db.restore_into(url, postgres_db.database_name(url), kept)
        raise BackupError(f"restore failed, the previous database is back: {exc}") from None
    return kept


def restore_missing_extras(config, backup: OpenedBackup) -> list[str]:
    """Saved deploy flags and secret key, written only where this host has none (a new host)."""
    written = []
    for part, target in (
        (SETTINGS_PART, settings_file(config)),
        (SECRET_KEY_PART, secret_key_file(config)),
    ):
        source = backup.part(part)
        if source is not None and not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            copy_private(source, target)
            written.append(str(target))
    return written


def replaced_files(config) -> list[Path]:
    """Databases set aside by restores, kept until the next good backup."""
    places = [backup_dir(config), jobs_db_file(config).parent]
    if (sqlite_file := sqlite_db.sqlite_path(config["DATABASE_URL"])) is not None:
        places.append(sqlite_file.parent)
    found = set()
    for folder in places:
        if folder.is_dir():
            found.update(p for p in folder.iterdir() if REPLACED_MARK in p.name and p.is_file())
    return sorted(found)


def forget_replaced(config) -> list[Path]:
    removed = replaced_files(config)
    for path in removed:
        path.unlink(missing_ok=True)
    return removed
