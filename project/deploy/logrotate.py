"""Lossless daily log rotation into date-named files.

One rotator (never the workers) renames each live log to `<name>.YYYY-MM-DD` (then `.1`,
`.2`… if that day was already rotated), then makes the writers reopen: USR2 to supervisord
(its own log and the programs' stdout logs). gunicorn's access and error logs and the app log
need no signal: their WatchedFileHandlers reopen by themselves on the next line (the bundle's
gunicorn logger class, project/deploy/access_log.py, makes gunicorn's two watched). USR1
still goes to the gunicorn master, where that class does nothing with it, for a gunicorn run
with its own logger class, which reopens on it. A line written in between lands in the
renamed file: never lost, never written twice. Older rotated files are gzipped; files past
the retention are deleted.
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import signal
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from . import privacy, processes
from .layout import PROGRAMS
from .settings import DeploySettings

# A rotated file may still get a last line from a process that has not reopened yet;
# compress it only once it has been quiet this long.
SETTLE_SECONDS = 5
DATED = re.compile(r"^(?P<base>.+)\.(?P<day>\d{4}-\d{2}-\d{2})(?:\.(?P<n>\d+))?(?P<gz>\.gz)?$")


def live_logs(settings: DeploySettings) -> list[Path]:
    layout = settings.layout
    paths = [settings.access_log_path, settings.error_log_path, layout.app_log]
    paths += [layout.supervisord_log, *(layout.program_log(program) for program in PROGRAMS)]
    return list(dict.fromkeys(paths))


def rotate_logs(settings: DeploySettings, covers: date, keep_days: float) -> list[Path]:
    """Rotate, reopen, compress, expire; returns the files made by this run."""
    rotated = [rename_dated(path, covers) for path in live_logs(settings) if has_content(path)]
    if settings.log_group:  # fresh files for the writers to reopen, readable by the group
        gid = privacy.group_id(settings.log_group)
        for path in live_logs(settings):
            privacy.share_log_file(path, gid)
    reopen_writers(settings)
    for path in live_logs(settings):
        compress_older(path, exclude=set(rotated))
        delete_expired(path, keep_days)
    return rotated


def has_content(path: Path) -> bool:
    return path.is_file() and path.stat().st_size > 0


def dated_name(path: Path, day: date) -> Path:
    """`<name>.<day>`, or the first free `<name>.<day>.<n>` if that day was rotated already."""
    base = path.with_name(f"{path.name}.{day.isoformat()}")
    candidate, n = base, 0
    while candidate.exists() or candidate.with_name(candidate.name + ".gz").exists():
        n += 1
        candidate = base.with_name(f"{base.name}.{n}")
    return candidate


def rename_dated(path: Path, day: date) -> Path:
    target = dated_name(path, day)
    path.rename(target)
    return target


def reopen_writers(settings: DeploySettings) -> None:
    for pidfile, signum in (
        (settings.layout.gunicorn_pid, signal.SIGUSR1),
        (settings.layout.supervisord_pid, signal.SIGUSR2),
    ):
        pid = processes.read_pid(pidfile)
        if pid and processes.is_alive(pid):
            os.kill(pid, signum)


def rotated_files(path: Path) -> list[Path]:
    found = []
    for candidate in path.parent.glob(path.name + ".*"):
        match = DATED.match(candidate.name)
        if match and match["base"] == path.name:
            found.append(candidate)
    return sorted(found)


def compress_older(path: Path, exclude: set[Path]) -> None:
    quiet_since = time.time() - SETTLE_SECONDS
    for rotated in rotated_files(path):
        if rotated.suffix == ".gz" or rotated in exclude or rotated.stat().st_mtime > quiet_since:
            continue
        gzip_file(rotated)


def gzip_file(path: Path) -> Path:
    """`path` → `path.gz` atomically, keeping the mtime (retention is measured on it)."""
    target = path.with_name(path.name + ".gz")
    partial = path.with_name(path.name + ".gz.partial")
    with path.open("rb") as source, gzip.open(partial, "wb") as sink:
        shutil.copyfileobj(source, sink)
    stat = path.stat()
    os.utime(partial, (stat.st_atime, stat.st_mtime))
    os.chown(partial, -1, stat.st_gid)  # whoever could read the log can read it compressed
    os.chmod(partial, stat.st_mode & 0o777)
    partial.rename(target)
    path.unlink()
    return target


def delete_expired(path: Path, keep_days: float) -> list[Path]:
    cutoff = time.time() - keep_days * 86400
    expired = [f for f in rotated_files(path) if f.stat().st_mtime < cutoff]
    for old in expired:
        old.unlink()
    return expired


def seconds_until_midnight(now: datetime) -> float:
    tomorrow = datetime.combine(now.date() + timedelta(days=1), datetime.min.time())
    return (tomorrow - now).total_seconds()


def run_forever(settings: DeploySettings, keep_days: float, every: float) -> None:
    """The supervisor-managed rotator: at each local midnight (or every `every` seconds)."""
    while True:
        wait = every or seconds_until_midnight(datetime.now())
        time.sleep(wait)
        # At midnight the files cover the day that just ended.
        covers = date.today() if every else date.today() - timedelta(days=1)
        rotate_logs(settings, covers, keep_days)
