"""Taking a backup: snapshot every part, pack, verify, record, prune, copy off-host."""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from . import BackupError, postgres_db, sqlite_db
from .archive import (
    JOBS_PART,
    POSTGRES_PART,
    SECRET_KEY_PART,
    SETTINGS_PART,
    SQLITE_PART,
    write_archive,
)
from .catalog import FAILED, GOOD, backup_dir, ensure_dir, new_backup_path, write_verdict
from .paths import copy_private, jobs_db_file, project_name, secret_key_file, settings_file
from .restore import forget_replaced
from .retention import prune
from .upload import upload
from .verify import opened


@dataclass
class BackupResult:
    path: Path
    good: bool
    detail: str  # why verification failed; "" when good
    seconds: float
    size: int
    upload_error: str = ""  # "" when no command is set or it succeeded
    uploaded: bool = False
    removed: list[Path] = field(default_factory=list)


def run_backup(config, with_secret_key: bool = False) -> BackupResult:
    """Take, verify and record one backup; prune and upload only when it is good."""
    folder = ensure_dir(backup_dir(config))
    with folder_lock(folder):
        sweep_leftovers(folder)
        started = time.monotonic()
        path = make_backup(config, with_secret_key)
        made = time.monotonic()
        detail = verification_failure(path, config)
        result = BackupResult(path, not detail, detail, made - started, path.stat().st_size)
        verdict = {
            "state": GOOD if result.good else FAILED,
            "detail": detail,
            "checked_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "backup_seconds": round(made - started, 3),
            "verify_seconds": round(time.monotonic() - made, 3),
        }
        write_verdict(path, verdict)
        if result.good:
            forget_replaced(config)
            result.removed = [e.path for e in prune(folder, *keep_counts(config))]
            ship(config, result, verdict)
    return result


def run_scheduled_backup(settings) -> BackupResult:
    """The nightly job: `settings` is the app's config (load_config()). A bad backup or a
    failed upload raises BackupError, so the scheduler logs the task as failed."""
    result = run_backup(settings)
    if not result.good:
        raise BackupError(f"backup {result.path.name} failed verification: {result.detail}")
    if result.upload_error:
        raise BackupError(f"backup {result.path.name} is good but {result.upload_error}")
    return result


def keep_counts(config) -> tuple[int, int]:
    return max(1, int(config.get("BACKUP_KEEP_DAILY", 7))), int(config.get("BACKUP_KEEP_WEEKLY", 4))


def ship(config, result: BackupResult, verdict: dict) -> None:
    command = config.get("BACKUP_UPLOAD_CMD", "")
    if not command:
        return
    result.upload_error = upload(command, result.path)
    result.uploaded = not result.upload_error
    verdict["upload"] = result.upload_error or "ok"
    write_verdict(result.path, verdict)


def verification_failure(path: Path, config) -> str:
    try:
        with opened(path, config["DATABASE_URL"], path.parent):
            return ""
    except BackupError as exc:
        return str(exc).split(" failed verification: ", 1)[-1]


def make_backup(config, with_secret_key: bool) -> Path:
    folder = backup_dir(config)
    path = new_backup_path(folder, project_name(), datetime.now(timezone.utc))
    with tempfile.TemporaryDirectory(dir=folder, prefix=".staging-") as tmp:
        staging = Path(tmp)
        manifest = snapshot_database(config, staging)
        snapshot_extras(config, staging, with_secret_key)
        manifest["created_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
        manifest["project"] = project_name()
        write_archive(path, staging, manifest)
    return path


def snapshot_database(config, staging: Path) -> dict:
    url = config["DATABASE_URL"]
    if (source := sqlite_db.sqlite_path(url)) is not None:
        sqlite_db.snapshot(
            source, staging / SQLITE_PART, config.get("SQLITE_BUSY_TIMEOUT_MS", 5000)
        )
        return {"database": "sqlite", "migrations": sqlite_db.migrations(staging / SQLITE_PART)}
    if postgres_db.is_postgres(url):
        # Migrations run only at deploy time, under ctl's lock: the list read now is the dump's.
        history = postgres_db.migrations(url)
        postgres_db.dump(url, staging / POSTGRES_PART)
        return {"database": "postgresql", "migrations": history}
    raise BackupError(f"cannot back up database URL {url.split('://', 1)[0]}://…")


def snapshot_extras(config, staging: Path, with_secret_key: bool) -> None:
    jobs = jobs_db_file(config)
    if jobs.is_file():
        sqlite_db.snapshot(jobs, staging / JOBS_PART)
    if settings_file(config).is_file():
        copy_private(settings_file(config), staging / SETTINGS_PART)
    if with_secret_key:
        key = secret_key_file(config)
        if not key.is_file():
            raise BackupError(f"no {key} to include (a key from APP_SECRET_KEY is yours to keep)")
        copy_private(key, staging / SECRET_KEY_PART)


def sweep_leftovers(folder: Path) -> None:
    """Remove what a killed backup left (staging and check folders, .partial files)."""
    for path in folder.iterdir():
        if path.name.startswith((".staging-", ".backup-check-")) and path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        elif path.name.endswith(".partial"):
            path.unlink(missing_ok=True)


@contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """One backup or restore at a time per backup folder."""
    fd = os.open(folder / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    with os.fdopen(fd, "r+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BackupError(
                f"another backup is running in {folder}; retry when it ends"
            ) from None
        yield
