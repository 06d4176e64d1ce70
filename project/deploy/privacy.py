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


def exposed(var: Path, allowed=lambda path, mode: False) -> list[tuple[Path, int]]:
    """(path, mode) of everything under var/ that the group or other users may use, but for
    what `allowed(path, mode)` accepts (the logs of --log-group)."""
    found = []
    for path in walk(var):
        mode = stat.S_IMODE(path.lstat().st_mode)
        if not path.is_symlink() and mode & GROUP_OTHER and not allowed(path, mode):
            found.append((path, mode))
    return found


# --- Logs shared with an operator-named group (`--log-group`): 0640, in a 2750 folder --------

LOG_FILE_MODE = 0o640
LOG_DIR_MODE = 0o2750  # setgid: files created inside get the group
VAR_TRAVERSE_MODE = 0o710  # the group may pass through var/ to var/log, not list or read


def group_id(name: str) -> int:
    import grp

    try:
        return grp.getgrnam(name).gr_gid
    except KeyError:
        from .errors import DeployError

        raise DeployError(f"--log-group {name}: no such group") from None


def share_logs(var: Path, log_dir: Path, live_logs: list[Path], group: str) -> None:
    """Let `group` read the logs (and nothing else under var/): var/ 0710, the log folder
    2750, each live log 0640, all with that group. Created empty when missing, so writers
    that open them later keep the mode (umask 077 would make a new file 0600)."""
    gid = group_id(group)
    for folder, mode in ((var, VAR_TRAVERSE_MODE), (log_dir, LOG_DIR_MODE)):
        give_to_group(folder, gid, "--log-group")
        folder.chmod(mode)
    for path in live_logs:
        share_log_file(path, gid)


def give_to_group(path: Path, gid: int, flag: str) -> None:
    """chgrp; only root, or a member of the group, may do it: say how to become one."""
    try:
        os.chown(path, -1, gid)
    except PermissionError:
        import grp
        import pwd

        from .errors import DeployError

        user, group = pwd.getpwuid(os.geteuid()).pw_name, grp.getgrgid(gid).gr_name
        raise DeployError(
            f"{flag} {group}: {user} may not give {path} to {group}; add it to the group "
            f"(sudo usermod -aG {group} {user}, then log in again)"
        ) from None


def share_log_file(path: Path, gid: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, LOG_FILE_MODE)
    try:
        os.fchown(fd, -1, gid)
        os.fchmod(fd, LOG_FILE_MODE)
    finally:
        os.close(fd)


def allowed_for_log_group(path: Path, mode: int, var: Path, log_dir: Path, gid: int) -> bool:
    """With --log-group: var/ may be 0710, var/log 2750, and files in var/log 0640, to that
    group only; never anything for other users."""
    if mode & 0o007 or path.lstat().st_gid != gid:
        return False
    if path == var:
        return mode & 0o070 == 0o010
    if path == log_dir:
        return True
    return path.parent == log_dir and path.is_file() and mode & 0o070 == 0o040
