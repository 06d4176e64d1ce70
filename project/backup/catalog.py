"""Where backups live, how they are named, and the verdict file kept beside each one."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

SUFFIX = ".tar.gz"
VERDICT_SUFFIX = ".verdict.json"
STAMP_FORMAT = "%Y-%m-%dT%H%M%S"
# <name>-YYYY-MM-DDTHHMMSS[-N].tar.gz; -N only when two backups share a second.
NAME_PATTERN = re.compile(r"^(?P<name>.+)-(?P<stamp>\d{4}-\d\d-\d\dT\d{6})(?:-\d+)?\.tar\.gz$")
GOOD, FAILED, UNVERIFIED = "ok", "failed", "unverified"


def backup_dir(config) -> Path:
    """APP_BACKUP_DIR, else var/backups."""
    from .paths import layout

    return Path(config.get("BACKUP_DIR") or layout(config).backup_dir).resolve()


def ensure_dir(folder: Path) -> Path:
    """The backup folder, created 0700: a backup holds every user's data."""
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    return folder


def new_backup_path(folder: Path, name: str, now: datetime) -> Path:
    stem = f"{name}-{now.astimezone(timezone.utc).strftime(STAMP_FORMAT)}"
    path, n = folder / f"{stem}{SUFFIX}", 1
    while path.exists():
        path, n = folder / f"{stem}-{n}{SUFFIX}", n + 1
    return path


def stamp_of(path: Path) -> datetime | None:
    """The UTC time in a backup's file name, or None for a file that is not a backup."""
    match = NAME_PATTERN.match(path.name)
    if not match:
        return None
    return datetime.strptime(match["stamp"], STAMP_FORMAT).replace(tzinfo=timezone.utc)


def verdict_path(path: Path) -> Path:
    return path.with_name(path.name + VERDICT_SUFFIX)


def write_verdict(path: Path, verdict: dict) -> None:
    target = verdict_path(path)
    tmp = target.with_name(target.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(verdict, handle, indent=2, sort_keys=True)
    tmp.replace(target)


def read_verdict(path: Path) -> dict:
    """The recorded verdict; a backup without one (interrupted) is unverified."""
    try:
        return json.loads(verdict_path(path).read_text())
    except (OSError, ValueError):
        return {"state": UNVERIFIED, "detail": "no verification recorded"}


@dataclass(frozen=True)
class Entry:
    path: Path
    stamp: datetime
    size: int
    verdict: dict

    @property
    def state(self) -> str:
        return self.verdict.get("state", UNVERIFIED)

    @property
    def good(self) -> bool:
        return self.state == GOOD


def entries(folder: Path) -> list[Entry]:
    """Every backup in `folder`, newest first."""
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        stamp = stamp_of(path)
        if stamp is not None and path.is_file():
            found.append(Entry(path, stamp, path.stat().st_size, read_verdict(path)))
    return sorted(found, key=lambda entry: (entry.stamp, entry.path.name), reverse=True)


def newest_good(folder: Path) -> Entry | None:
    return next((entry for entry in entries(folder) if entry.good), None)


def remove(entry_path: Path) -> None:
    entry_path.unlink(missing_ok=True)
    verdict_path(entry_path).unlink(missing_ok=True)
