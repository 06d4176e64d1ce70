"""Facts about local processes and ports, read from /proc and the socket API (Linux)."""

from __future__ import annotations

import errno
import os
import socket
from pathlib import Path


def is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not is_zombie(pid)


def is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def children(pid: int) -> list[int]:
    """Live (not zombie) PIDs whose parent is `pid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and parent_pid(int(entry.name)) == pid:
            found.append(int(entry.name))
    return sorted(child for child in found if not is_zombie(child))


def parent_pid(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def ancestors(pid: int) -> list[int]:
    found = []
    parent = parent_pid(pid)
    while parent and parent not in found:
        found.append(parent)
        parent = parent_pid(parent)
    return found


def environment(pid: int) -> list[bytes]:
    """The `NAME=value` entries a process started with (readable for our own user's)."""
    try:
        return Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    except OSError:
        return []


def with_environment(entry: str) -> list[int]:
    """Live PIDs whose environment holds exactly `entry` (NAME=value)."""
    wanted = entry.encode()
    found = []
    for proc in Path("/proc").iterdir():
        pid = int(proc.name) if proc.name.isdigit() else 0
        if pid and wanted in environment(pid) and not is_zombie(pid):
            found.append(pid)
    return sorted(found)


def port_in_use(host: str, port: int) -> bool:
    """True when something else is bound to host:port (checked by binding it ourselves)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                return True
            raise
    return False
