"""The operator's side: backups and restores of a deployed site (its saved deploy settings).

`restore_site` is the only part that stops and starts the bundle; everything else reads files.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

from ..config import load_config
from ..deploy.settings import DeploySettings
from . import BackupError
from .catalog import backup_dir, ensure_dir, entries, newest_good
from .restore import RestoreReport, restore_database
from .service import folder_lock

# `check` warns when the newest good backup is older than this (a nightly one was missed).
STALE_AFTER = timedelta(days=1.5)
# Backups never read the secret key, and a new host restoring one may not have its key yet:
# this stands in for it so loading the config does not refuse (it is never used or stored).
KEY_PLACEHOLDER = "backup-config-loads-without-the-secret-key" * 2


def site_config(settings: DeploySettings) -> dict:
    """The workers' config (database URL, backup settings), without requiring a secret key."""
    from ..deploy.preflight import app_environ

    environ = app_environ(settings)
    environ.setdefault("APP_SECRET_KEY", KEY_PLACEHOLDER)
    return load_config(settings.config_name, environ=environ)


def restore_site(
    settings: DeploySettings, path: Path, stop: bool, say: Callable[[str], None]
) -> RestoreReport:
    """Restore `path` over the site's database; with `stop`, a running site is stopped first
    (only once the file passed verification) and started again after migrating forward."""
    from ..deploy import control
    from ..deploy.preflight import ensure_secret_key, run_migrations

    config = site_config(settings)
    running = control.is_running(settings)
    if running and not stop:
        raise BackupError(
            "the site is running: `scripts/ctl restore --stop FILE` stops it, restores, starts it"
        )

    touched = []

    def stop_site() -> None:
        touched.append(True)
        if running:
            say(control.stop(settings))

    try:
        with folder_lock(ensure_dir(backup_dir(config))):  # not while a backup is being taken
            report = restore_database(config, path.resolve(), before_replace=stop_site)
    except BackupError as exc:
        if not touched:
            raise BackupError(f"{exc}; nothing was changed") from None
        if running:  # the restore put the previous database back: serve it again
            say(control.start(settings))
        raise
    ensure_secret_key(settings)  # as `start` would; a restored key stays (a new host has none)
    migrated = run_migrations(settings)  # "applied: a, b" or "database is up to date"
    applied = migrated.removeprefix("applied: ") if migrated.startswith("applied: ") else ""
    say(f"restored {path.name}" + (f"; migrated forward: {applied}" if applied else ""))
    if running:
        say(control.start(settings))
    return report


def age_text(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return f"{max(minutes, 0)}m"
    if minutes < 48 * 60:
        return f"{minutes // 60}h{minutes % 60:02d}m"
    return f"{minutes // (24 * 60)}d{minutes // 60 % 24:02d}h"


def size_text(size: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return ""


def verdict_text(verdict: dict) -> str:
    state = verdict.get("state", "unverified")
    text = state if state == "ok" else f"{state}: {verdict.get('detail', '')}"
    upload = verdict.get("upload")
    if upload:
        text += "; uploaded" if upload == "ok" else f"; {upload}"
    return text


def listing(config, now: datetime | None = None) -> str:
    """`backup --list`: every backup, newest first, with size, age and verification."""
    now = now or datetime.now(timezone.utc)
    found = entries(backup_dir(config))
    if not found:
        return f"no backups in {backup_dir(config)}"
    width = max(len(entry.path.name) for entry in found)
    lines = [f"{'backup':<{width}}  {'size':>9}  {'age':>7}  verification"]
    for entry in found:
        lines.append(
            f"{entry.path.name:<{width}}  {size_text(entry.size):>9}  "
            f"{age_text(now - entry.stamp):>7}  {verdict_text(entry.verdict)}"
        )
    return "\n".join(lines)


def status_line(config, now: datetime | None = None) -> str:
    """One line for `scripts/ctl status`: the age of the newest good backup."""
    newest = newest_good(backup_dir(config))
    if newest is None:
        return "backup       none good yet (scripts/ctl backup)"
    now = now or datetime.now(timezone.utc)
    return f"backup       newest good {age_text(now - newest.stamp)} ago ({newest.path.name})"


def findings(config, now: datetime | None = None) -> list[tuple[str, str]]:
    """`scripts/ctl check` lines: a missing or stale backup, a failed off-host copy."""
    newest = newest_good(backup_dir(config))
    if newest is None:
        return [("warning", "no good backup yet: run `scripts/ctl backup` (README: Backups)")]
    age = (now or datetime.now(timezone.utc)) - newest.stamp
    found = []
    if age > STALE_AFTER:
        found.append(
            ("warning", f"newest good backup is {age_text(age)} old: is the nightly job running?")
        )
    else:
        found.append(("ok", f"newest good backup {age_text(age)} old"))
    upload = newest.verdict.get("upload")
    if upload and upload != "ok":
        found.append(("warning", f"newest backup not copied off-host: {upload}"))
    return found
