"""Runtime files private to the app's user (F-06): the database, logs, mail folder, secret key.

The bundle runs with umask 077 (ctl, supervisord and every program it starts), so whatever it
creates is 0600 / 0700. `start` also repairs modes left by older versions, and
`scripts/ctl check` reports any path under var/ that another local account could read.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

UMASK = 0o077
GROUP_OTHER = 0o077


def apply_umask() -> None:
    """From here on this process and its children create files 0600 and folders 0700."""
    os.umask(UMASK)


def walk(var: Path) -> Iterator[Path]:
    """var/ and everything in it, without following symlinks."""
    if not var.exists():
        return
    yield var
    for folder, dirs, files in os.walk(var):
        for name in [*dirs, *files]:
            yield Path(folder) / name


def make_private(var: Path) -> list[Path]:
    """Drop group and other bits from var/ and everything in it; the paths that had some."""
    fixed = []
    for path in walk(var):
        mode = stat.S_IMODE(path.lstat().st_mode)
        if path.is_symlink() or not mode & GROUP_OTHER:
            continue
        path.chmod(mode & ~GROUP_OTHER)
        fixed.append(path)
    return fixed


def exposed(var: Path) -> list[tuple[Path, int]]:
    """(path, mode) of everything under var/ that the group or other users may use."""
    found = []
    for path in walk(var):
        mode = stat.S_IMODE(path.lstat().st_mode)
        if not path.is_symlink() and mode & GROUP_OTHER:
            found.append((path, mode))
    return found
